import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * Finds arithmetic (`+ - * / %`) between a number read from the data (a field of `e`, of a
 * `matched` event, of a comprehension variable: JSON numbers, CEL `double`s) and an `int`
 * literal. CEL has no `double * int` overload, so `e.amount * 2 > 1000.0` would pass the type
 * checker (the field is `dyn`) and then fail on every event. Returns the refusal message, with
 * the fix, for the first such operation, or `undefined`.
 *
 * Comparisons are not concerned: CEL compares `int` and `double` values (`e.amount > 500`).
 *
 * @example
 * ```ts
 * jsonNumberArithmeticProblem(RULE_CEL.parse('e.amount * 2 > 1000.0').ast);
 * // 'e.amount * 2: JSON numbers are doubles; write 2.0'
 * ```
 */
export function jsonNumberArithmeticProblem(root: ASTNode): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (!isNode(v)) continue;
    if (ARITHMETIC.has(v.op)) {
      const [l, r] = v.args as [Node, Node];
      const literal = isDataNumber(l) ? intLiteral(r) : isDataNumber(r) ? intLiteral(l) : undefined;
      if (literal !== undefined) {
        const text = sourceText(v);
        if (v.op === '%') {
          const data = isDataNumber(l) ? l : r;
          const field = sourceText(data);
          return `${text}: JSON numbers are doubles, which have no %; write int(${field}) instead of ${field}`;
        }
        return `${text}: JSON numbers are doubles; write ${literal}.0`;
      }
    }
    const meta = v.meta;
    if (meta?.alternate !== undefined) stack.push(meta.alternate);
    else if (v.op === 'comprehension') {
      const c = v.args as { iterable: Node; init: Node; step: Node };
      stack.push(c.iterable, c.init, c.step);
    } else stack.push(v.args);
  }
  return undefined;
}

/** The node's source text, with the opening parentheses its span leaves out (`(a + b) * 2`). */
function sourceText(n: Node): string {
  let start = n.start;
  let open = 0;
  for (let i = n.start; i < n.end; i++) {
    if (n.input[i] === '(') open++;
    else if (n.input[i] === ')') open--;
  }
  while (open < 0 && start > 0 && /[\s(]/.test(n.input[start - 1]!)) {
    start--;
    if (n.input[start] === '(') open++;
  }
  return n.input.slice(start, n.end);
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

interface Node {
  readonly op: string;
  readonly args: unknown;
  readonly input: string;
  readonly start: number;
  readonly end: number;
  readonly meta?: { alternate?: Node };
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string';
}

/** A field read (`x.f`, `x["f"]`) or arithmetic / negation over one: a `dyn` number from JSON. */
function isDataNumber(n: Node): boolean {
  switch (n.op) {
    case '.':
    case '[]':
      return true;
    case '-_':
      return isDataNumber(n.args as Node);
    default:
      return ARITHMETIC.has(n.op) && (n.args as Node[]).some(isDataNumber);
  }
}

/** The literal's text when `n` is an int literal (or its negation). */
function intLiteral(n: Node): string | undefined {
  if (n.op === 'value' && typeof n.args === 'bigint') return String(n.args);
  if (n.op === '-_') {
    const inner = intLiteral(n.args as Node);
    return inner === undefined ? undefined : `-${inner}`;
  }
  return undefined;
}
