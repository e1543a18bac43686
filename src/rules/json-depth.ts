/**
 * The nesting depth of a parsed JSON value (a scalar is 0, `{}` is 1), computed iteratively so a
 * hostile document cannot overflow the stack, and stopping as soon as it reaches `cap` (the cost
 * of refusing a deep document does not grow with its size past the cap).
 *
 * @example
 * ```ts
 * jsonDepth({ a: [{ b: 1 }] }, 100); // 3
 * jsonDepth(deeplyNested, 13) >= 13; // refuse
 * ```
 */
export function jsonDepth(root: unknown, cap: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max >= cap) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return max;
}
