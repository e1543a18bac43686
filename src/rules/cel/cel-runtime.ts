/**
 * Run-time helpers of the compiled CEL closures ({@link compileCel}): the value operations of
 * `@marcbachmann/cel-js` for the cases whose result is certain, and {@link CEL_DEOPT} for every
 * other case, so that the caller re-evaluates the whole expression with the interpreter.
 *
 * Values are represented as cel-js represents them: `int` is a `bigint`, `double` a `number`,
 * `string`, `bool`, `null`, a list an `Array`, a map a plain object (own keys only).
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
 * A CEL evaluation error raised by a compiled closure where the interpreter raises one too (the
 * message follows cel-js's).
 *
 * @example
 * ```ts
 * throw new CelRuntimeError('No such key: amount');
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
 * throw celError('No such key: amount');
 * ```
 */
export function celError(message: string): CelRuntimeError {
  const e = Object.create(CelRuntimeError.prototype) as { message: string };
  e.message = message;
  return e as CelRuntimeError;
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

/** The error of a missing key / a select on a non-map. @example `throw noSuchKey('amount')` */
export function noSuchKey(key: unknown): CelRuntimeError {
  return celError(`No such key: ${String(key)}`);
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
      if (isArray(x)) throw noSuchKey(key);
      if (!isPlainMap(x)) throw CEL_DEOPT;
    }
    if (hasOwn(x, key)) {
      const v = (x as Record<string, unknown>)[key];
      if (v !== undefined) return checkValue(v);
    }
    throw noSuchKey(key);
  }
  if (typeof x === 'function' || typeof x === 'symbol') throw CEL_DEOPT;
  throw noSuchKey(key);
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
  if (typeof x !== 'object' || x === null) throw CEL_DEOPT;
  if (isArray(x)) {
    if (typeof i === 'bigint' || typeof i === 'number') {
      const v = x[Number(i)];
      if (v === undefined) throw celError(`No such key: index out of bounds, index ${String(i)}`);
      return checkValue(v);
    }
    throw CEL_DEOPT;
  }
  if (typeof i !== 'string') throw CEL_DEOPT;
  return selectField(x, i);
}

/**
 * CEL equality (`==`) as cel-js computes it: numbers by value across int and double, lists and
 * maps deeply, different kinds unequal.
 *
 * @example
 * ```ts
 * celEquals([1], [1n]); // true
 * ```
 */
export function celEquals(a: unknown, b: unknown): boolean {
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
      for (let i = 0; i < n; i++) if (!celEquals(a[i], b[i])) return false;
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
  for (const k of ka) {
    if (!hasOwn(b, k)) {
      // cel-js tests `k in b`, which sees inherited names: not modelled.
      if (k in b) throw CEL_DEOPT;
      return false;
    }
    if (!celEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** `a < b` and friends: numbers (int and double mixed), strings, bools. @example `isOrderable(1n, 1.5) // true` */
export function isOrderable(a: unknown, b: unknown): boolean {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' || ta === 'bigint') return tb === 'number' || tb === 'bigint';
  return (ta === 'string' || ta === 'boolean') && ta === tb;
}

function checkInt(v: bigint): bigint {
  if (v <= MAX_INT && v >= MIN_INT) return v;
  throw CEL_DEOPT;
}

/** `a + b`. @example `addValues(1n, 2n) // 3n` */
export function addValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a + b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (isArray(a) && isArray(b)) return [...a, ...b];
  throw CEL_DEOPT;
}

/** `a - b`. @example `subtractValues(1.5, 1.0) // 0.5` */
export function subtractValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a - b);
  throw CEL_DEOPT;
}

/** `a * b`. @example `multiplyValues(2.0, 3.0) // 6` */
export function multiplyValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkInt(a * b);
  throw CEL_DEOPT;
}

/** `a / b` (int division truncates; by zero is an error). @example `divideValues(7n, 2n) // 3n` */
export function divideValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a / b;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw celError('division by zero');
    return a / b;
  }
  throw CEL_DEOPT;
}

/** `a % b` (ints only; by zero is an error). @example `moduloValues(7n, 2n) // 1n` */
export function moduloValues(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw celError('modulo by zero');
    return a % b;
  }
  throw CEL_DEOPT;
}

/** `a in b`: list membership by {@link celEquals}, map membership by own string key. @example `inValues('a', { a: 1 }) // true` */
export function inValues(a: unknown, b: unknown): boolean {
  if (typeof b !== 'object' || b === null) throw CEL_DEOPT;
  if (isArray(b)) {
    for (const v of b) if (celEquals(a, v)) return true;
    return false;
  }
  if (typeof a !== 'string' || !isPlainMap(b)) throw CEL_DEOPT;
  return hasOwn(b, a) ? (b as Record<string, unknown>)[a] !== undefined : false;
}

/** `size(x)`: code points of a string, elements of a list, entries of a map. @example `sizeOf('ab') // 2n` */
export function sizeOf(x: unknown): bigint {
  if (typeof x === 'string') {
    let n = 0;
    for (const _ of x) n++;
    return BigInt(n);
  }
  if (typeof x === 'object' && x !== null) {
    if (isArray(x)) return BigInt(x.length);
    if (isPlainMap(x)) return BigInt(Object.keys(x).length);
  }
  throw CEL_DEOPT;
}

/** The numbers of a list for sum/avg/min/max, as `cel-environment.ts` takes them. @example `listNumbers([1, 2n], 'sum') // [1, 2]` */
export function listNumbers(list: unknown, fn: string): number[] {
  if (!isArray(list)) throw CEL_DEOPT;
  return list.map((x) => {
    if (typeof x === 'number') return x;
    if (typeof x === 'bigint') return Number(x);
    throw celError(`${fn}() expects a list of numbers, got an element of type ${typeof x}`);
  });
}

/** The elements a comprehension ranges over: a list's elements, a map's keys. @example `comprehensionRange({ a: 1 }) // ['a']` */
export function comprehensionRange(x: unknown): readonly unknown[] {
  if (isArray(x)) return x;
  if (typeof x === 'object' && x !== null) {
    if (isPlainMap(x)) return Object.keys(x);
    throw CEL_DEOPT;
  }
  if (typeof x === 'function' || typeof x === 'symbol' || x === undefined) throw CEL_DEOPT;
  throw celError(`Expression of type '${typeof x}' cannot be range of a comprehension`);
}
