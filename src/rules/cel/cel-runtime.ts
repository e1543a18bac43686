/**
 * Run-time helpers of the compiled CEL closures ({@link compileCel}): the value operations of
 * `@marcbachmann/cel-js` for the cases whose result is certain, and {@link CEL_DEOPT} for the
 * other cases, so that the caller re-evaluates the whole expression with the interpreter.
 *
 * Values are represented as cel-js represents them: `int` is a `bigint`, `double` a `number`,
 * `string`, `bool`, `null`, a list an `Array`, a map a plain object (own keys only). An
 * evaluation error is a value too, a {@link CelRuntimeError} (made without a stack trace), that
 * every operation passes on: where the interpreter throws, the closures return one, so a missing
 * field costs no exception. Every helper tests for it only on its slow path (an unexpected type).
 *
 * @example
 * ```ts
 * celEquals(1n, 1); // true: int and double compare by value
 * ```
 *
 * @packageDocumentation
 */

/**
 * Thrown by a compiled closure for a case it does not model exactly (an unusual run-time type, an
 * error whose exact behaviour depends on the interpreter): the caller must evaluate the whole
 * expression with the interpreter instead. Never an error of the condition itself.
 *
 * @example
 * ```ts
 * try { run(event) } catch (e) { if (e === CEL_DEOPT) interpret(event) }
 * ```
 */
export const CEL_DEOPT: { readonly deopt: true } = Object.freeze({ deopt: true });

/**
 * A CEL evaluation error, as the compiled closures return it where the interpreter throws (the
 * message follows cel-js's).
 *
 * @example
 * ```ts
 * const r = compiled.run(event, undefined);
 * if (r instanceof CelRuntimeError) errors.record(ruleId, r);
 * ```
 */
export class CelRuntimeError extends Error {
  override readonly name = 'EvaluationError';
}

/**
 * A {@link CelRuntimeError} made without capturing a stack trace (which costs microseconds; a
 * condition error is counted, its stack never read).
 *
 * @example
 * ```ts
 * return celError('No such key: amount');
 * ```
 */
export function celError(message: string): CelRuntimeError {
  const e = Object.create(CelRuntimeError.prototype) as { message: string };
  e.message = message;
  return e as CelRuntimeError;
}

/**
 * The steps of the current evaluation, for the run-time budget (`RULE_LIMITS.maxEvaluationSteps`):
 * one per comprehension iteration (counted by the compiled loops and by the interpreter's bounded
 * comprehensions, `evaluation-budget.ts`), plus the work of the operations proportional to a size
 * (counted here, {@link chargeSteps}). Evaluations are synchronous and never nested, so one
 * counter serves them all: an evaluation that can loop sets it to 0 first and compares it with
 * its budget at each iteration; one that cannot loop never reads it (the helpers still add to it,
 * {@link STEP_CAP} keeps it a small integer). No allocation per evaluation.
 *
 * @example
 * ```ts
 * EVALUATION_STEPS.n = 0;
 * for (const x of items) if (++EVALUATION_STEPS.n > max) throw CEL_BUDGET_EXCEEDED;
 * ```
 */
export const EVALUATION_STEPS: { n: number } = { n: 0 };

/** Where {@link chargeSteps} stops counting (2^30 - 1: V8's small integers); budgets stay below it. */
export const STEP_CAP = 2 ** 30 - 1;

/**
 * Adds `n` steps to {@link EVALUATION_STEPS} (up to {@link STEP_CAP}): the work of an operation
 * proportional to a size, in the cost units of the static estimate (condition-cost.ts), rounded
 * down. Checked against the budget at the next comprehension iteration.
 *
 * @example
 * ```ts
 * chargeSteps(list.length >>> 2); // `x in list`: 0.25 a element
 * ```
 */
export function chargeSteps(n: number): void {
  const s = EVALUATION_STEPS.n + n;
  EVALUATION_STEPS.n = s < STEP_CAP ? s : STEP_CAP;
}

/**
 * Thrown by a compiled comprehension whose evaluation went over its step budget, through every
 * closure up to `run`, which returns {@link budgetExceeded} instead: an abort no `&&`, `||`,
 * `all` or `exists` may absorb, and no reason to deoptimize.
 *
 * @example
 * ```ts
 * if (++EVALUATION_STEPS.n > max) throw CEL_BUDGET_EXCEEDED;
 * ```
 */
export const CEL_BUDGET_EXCEEDED: { readonly budgetExceeded: true } = Object.freeze({ budgetExceeded: true });

/**
 * The condition error of an evaluation aborted by its step budget.
 *
 * @example
 * ```ts
 * budgetExceeded(10_000_000).message; // 'evaluation budget of 10000000 steps exceeded'
 * ```
 */
export function budgetExceeded(maxSteps: number): CelRuntimeError {
  return celError(
    `evaluation budget of ${maxSteps} steps exceeded (comprehension iterations and list/string work; ` +
      'the condition is false for this event)',
  );
}

/** Whether `v` is an evaluation error value. @example `isCelError(celError('x')) // true` */
export function isCelError(v: unknown): v is CelRuntimeError {
  return v instanceof CelRuntimeError;
}

/**
 * The slow path of an operation on `a` (and `b`): an error operand is the result (the left one
 * first, as the interpreter evaluates left first), anything else is not modelled.
 */
function errorOrDeopt(a: unknown, b?: unknown): CelRuntimeError {
  if (a instanceof CelRuntimeError) return a;
  if (b instanceof CelRuntimeError) return b;
  throw CEL_DEOPT;
}

const NONE = Symbol('none');

/**
 * The result of an operator or function given operands of types it has no overload for: an
 * error operand is the result, else a "no such overload" error (cel-js raises one for every
 * such combination of CEL values); a value that is not a CEL value deoptimizes.
 *
 * @example
 * ```ts
 * noOverload('a', 1); // CelRuntimeError: no such overload
 * ```
 */
export function noOverload(a: unknown, b: unknown = NONE): CelRuntimeError {
  if (a instanceof CelRuntimeError) return a;
  if (b instanceof CelRuntimeError) return b;
  if (!isCelValue(a) || (b !== NONE && !isCelValue(b))) throw CEL_DEOPT;
  return celError('no such overload');
}

function isCelValue(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object':
      return v === null || isArray(v) || isPlainMap(v);
    default:
      return false;
  }
}

const hasOwn = Object.hasOwn;
const getPrototypeOf = Object.getPrototypeOf;
const objectProto = Object.prototype;
const isArray = Array.isArray;
const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

/** Whether `v` is a map as JSON makes them: a plain (or null-prototype) object, not an array. @example `isPlainMap({}) // true` */
export function isPlainMap(v: object): boolean {
  if (isArray(v)) return false;
  const p = getPrototypeOf(v);
  return p === objectProto || p === null;
}

/**
 * Whether `v` is a map object: a plain object (`constructor` is `Object`, the fast test; or an
 * object with a plain or null prototype, e.g. one with its own `constructor` field).
 *
 * @example
 * ```ts
 * isMapObject({ constructor: 1 }); // true
 * isMapObject([]); // false
 * ```
 */
export function isMapObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  return (v as { constructor?: unknown }).constructor === Object || isPlainMap(v);
}

/**
 * Checks a value read from data the way cel-js checks it (a supported CEL value) and returns it;
 * anything but JSON-like values deoptimizes.
 *
 * @example
 * ```ts
 * checkValue(1.5); // 1.5
 * ```
 */
export function checkValue(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return v;
    case 'object':
      if (
        v === null ||
        (v as { constructor?: unknown }).constructor === Object ||
        isArray(v) ||
        isPlainMap(v)
      )
        return v;
      throw CEL_DEOPT;
    default:
      throw CEL_DEOPT;
  }
}

/** The error of a missing key / a select on a non-map. @example `return noSuchKey('amount')` */
export function noSuchKey(key: unknown): CelRuntimeError {
  let text: string;
  try {
    text = String(key);
  } catch {
    text = typeof key; // a map key with its own `toString` field: `String()` throws
  }
  return celError(`No such key: ${text}`);
}

/**
 * `x.key` (a select): own keys of a map; a missing key, or a select on anything but a map, is an
 * error.
 *
 * @example
 * ```ts
 * selectField({ a: 1 }, 'a'); // 1
 * ```
 */
export function selectField(x: unknown, key: string): unknown {
  if (typeof x === 'object' && x !== null) {
    if ((x as { constructor?: unknown }).constructor !== Object) {
      if (isArray(x)) return noSuchKey(key);
      if (x instanceof CelRuntimeError) return x;
      if (!isPlainMap(x)) throw CEL_DEOPT;
    }
    if (hasOwn(x, key)) {
      const v = (x as Record<string, unknown>)[key];
      if (v !== undefined) return checkValue(v);
    }
    return noSuchKey(key);
  }
  if (typeof x === 'function' || typeof x === 'symbol') throw CEL_DEOPT;
  return noSuchKey(key);
}

/**
 * `x[i]`: list elements by an int or a whole double index, map entries by a string key.
 *
 * @example
 * ```ts
 * indexValue([5], 0n); // 5
 * ```
 */
export function indexValue(x: unknown, i: unknown): unknown {
  if (typeof x !== 'object' || x === null) {
    // A select on a string, number, bool or null finds no key.
    if (i instanceof CelRuntimeError) return i;
    if (!isCelValue(x) || !isCelValue(i)) throw CEL_DEOPT;
    return noSuchKey(i);
  }
  if (isArray(x)) {
    if (typeof i === 'bigint' || typeof i === 'number') {
      const v = x[Number(i)];
      if (v === undefined) return celError(`No such key: index out of bounds, index ${String(i)}`);
      return checkValue(v);
    }
    // A list has no keys but numeric indexes.
    if (i instanceof CelRuntimeError) return i;
    if (!isCelValue(i)) throw CEL_DEOPT;
    return noSuchKey(i);
  }
  if (typeof i !== 'string') return errorOrDeopt(x, i);
  return selectField(x, i);
}

/**
 * CEL equality (`==`) as cel-js computes it: numbers by value across int and double, lists and
 * maps deeply, different kinds unequal; an error operand is the result.
 *
 * @example
 * ```ts
 * celEquals([1], [1n]); // true
 * ```
 */
export function celEquals(a: unknown, b: unknown): boolean | CelRuntimeError {
  if (a === b) return a instanceof CelRuntimeError ? a : true;
  if (a instanceof CelRuntimeError) return a;
  if (b instanceof CelRuntimeError) return b;
  return dataEquals(a, b);
}

/** {@link celEquals} of two values that are not errors (data, or values built from data). */
function dataEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  switch (typeof a) {
    case 'number':
      // biome-ignore lint/suspicious/noDoubleEquals: int == double compares values, as in cel-js
      return typeof b === 'bigint' ? (a as any) == b : false;
    case 'bigint':
      // biome-ignore lint/suspicious/noDoubleEquals: int == double compares values, as in cel-js
      return typeof b === 'number' ? (a as any) == b : false;
    case 'string':
    case 'boolean':
      return false;
    case 'object':
      break;
    default:
      throw CEL_DEOPT;
  }
  if (typeof b !== 'object') {
    if (typeof b === 'function' || typeof b === 'symbol' || b === undefined) throw CEL_DEOPT;
    return false;
  }
  if (a === null || b === null) return false;
  if (isArray(a)) {
    if (isArray(b)) {
      const n = a.length;
      if (n !== b.length) return false;
      chargeSteps(n >>> 3);
      for (let i = 0; i < n; i++) if (!dataEquals(a[i], b[i])) return false;
      return true;
    }
    if (isPlainMap(b)) return false;
    throw CEL_DEOPT;
  }
  if (!isPlainMap(a)) throw CEL_DEOPT;
  if (isArray(b)) return false;
  if (!isPlainMap(b)) throw CEL_DEOPT;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  // ~100-300 ns an entry on wide (dictionary-mode) objects: 8 steps, where the static estimate
  // charges a hundredth of the JSON size (its known under-estimate).
  chargeSteps(ka.length * 8);
  for (const k of ka) {
    if (!hasOwn(b, k)) {
      // cel-js tests `k in b`, which sees inherited names: not modelled.
      if (k in b) throw CEL_DEOPT;
      return false;
    }
    if (!dataEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** `a != b`. @example `celNotEquals(1, 'a') // true` */
export function celNotEquals(a: unknown, b: unknown): boolean | CelRuntimeError {
  const r = celEquals(a, b);
  return typeof r === 'boolean' ? !r : r;
}

/**
 * `a < b` and friends: numbers (int and double mixed), strings, bools compare; an error operand
 * is the result; other types deoptimize.
 *
 * @example
 * ```ts
 * compareValues('<', 1n, 1.5); // true
 * ```
 */
export function compareValues(
  op: '<' | '<=' | '>' | '>=',
  a: unknown,
  b: unknown,
): boolean | CelRuntimeError {
  const ta = typeof a;
  const tb = typeof b;
  const ok =
    ta === 'number' || ta === 'bigint'
      ? tb === 'number' || tb === 'bigint'
      : (ta === 'string' || ta === 'boolean') && ta === tb;
  if (!ok) return noOverload(a, b);
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

function checkInt(v: bigint): bigint | CelRuntimeError {
  if (v <= MAX_INT && v >= MIN_INT) return v;
  return celError(`integer overflow: ${v}`);
}

/** `a + b`. @example `addValues(1n, 2n) // 3n` */
export function addValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a + b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (isArray(a) && isArray(b)) {
    chargeSteps(a.length + b.length);
    return [...a, ...b];
  }
  return noOverload(a, b);
}

/** `a - b`. @example `subtractValues(1.5, 1.0) // 0.5` */
export function subtractValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a - b);
  return noOverload(a, b);
}

/** `a * b`. @example `multiplyValues(2.0, 3.0) // 6` */
export function multiplyValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a * b);
  return noOverload(a, b);
}

/** `a / b` (int division truncates; by zero is an error). @example `divideValues(7n, 2n) // 3n` */
export function divideValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return celError('division by zero');
    return a / b;
  }
  return noOverload(a, b);
}

/** `a % b` (ints only; by zero is an error). @example `moduloValues(7n, 2n) // 1n` */
export function moduloValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return celError('modulo by zero');
    return a % b;
  }
  return noOverload(a, b);
}

/** `a in b`: list membership by {@link celEquals}, map membership by own string key. @example `inValues('a', { a: 1 }) // true` */
export function inValues(a: unknown, b: unknown): boolean | CelRuntimeError {
  if (a instanceof CelRuntimeError) return a;
  if (typeof b !== 'object' || b === null) return noOverload(a, b);
  if (isArray(b)) {
    chargeSteps(b.length >>> 2);
    for (const v of b) if (dataEquals(a, v)) return true;
    return false;
  }
  if (typeof a !== 'string' || !isPlainMap(b)) return errorOrDeopt(b);
  return hasOwn(b, a) ? (b as Record<string, unknown>)[a] !== undefined : false;
}

/** `size(x)`: code points of a string, elements of a list, entries of a map. @example `sizeOf('ab') // 2n` */
export function sizeOf(x: unknown): bigint | CelRuntimeError {
  if (typeof x === 'string') {
    chargeSteps(x.length >>> 3);
    let n = 0;
    for (const _ of x) n++;
    return BigInt(n);
  }
  if (typeof x === 'object' && x !== null) {
    if (isArray(x)) return BigInt(x.length);
    if (isPlainMap(x)) return BigInt(Object.keys(x).length);
  }
  return noOverload(x);
}

/**
 * The numbers of a list for sum/avg/min/max, as `cel-environment.ts` takes them, or the error.
 *
 * @example
 * ```ts
 * listNumbers([1, 2n], 'sum'); // [1, 2]
 * ```
 */
export function listNumbers(list: unknown, fn: string): number[] | CelRuntimeError {
  if (!isArray(list)) return noOverload(list);
  chargeSteps(list.length);
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (typeof x === 'number') out[i] = x;
    else if (typeof x === 'bigint') out[i] = Number(x);
    else return celError(`${fn}() expects a list of numbers, got an element of type ${typeof x}`);
  }
  return out;
}

/**
 * The elements a comprehension ranges over: a list's elements, a map's keys; or the error.
 *
 * @example
 * ```ts
 * comprehensionRange({ a: 1 }); // ['a']
 * ```
 */
export function comprehensionRange(x: unknown): readonly unknown[] | CelRuntimeError {
  if (isArray(x)) return x;
  if (typeof x === 'object' && x !== null) {
    if (x instanceof CelRuntimeError) return x;
    if (isPlainMap(x)) return Object.keys(x);
    throw CEL_DEOPT;
  }
  if (typeof x === 'function' || typeof x === 'symbol' || x === undefined) throw CEL_DEOPT;
  return celError(`Expression of type '${typeof x}' cannot be range of a comprehension`);
}
