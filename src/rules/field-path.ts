/**
 * Reads a dot-separated field path (`'device.id'`) from a plain JSON object. Only own properties
 * are read, so `'constructor'` or `'__proto__'` never reach `Object.prototype`; a missing field, a
 * non-object on the way, or `null` give `undefined`.
 *
 * @example
 * ```ts
 * readFieldPath({ device: { id: 'd1' } }, 'device.id'); // 'd1'
 * readFieldPath({}, 'constructor');                      // undefined
 * ```
 */
export function readFieldPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  let start = 0;
  // A manual split: this runs per event and per key field on the hot path.
  while (start <= path.length) {
    let end = path.indexOf('.', start);
    if (end === -1) end = path.length;
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    const segment = path.slice(start, end);
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
    start = end + 1;
  }
  return current === null ? undefined : current;
}
