import type { IterativeConditionObject } from './iterative-condition.js';

/**
 * A type guard: TypeScript's way to say "this event is an `S`".
 *
 * @example
 * ```ts
 * const isPayment: TypeGuard<Event, Payment> = (e): e is Payment => e.type === 'payment';
 * ```
 */
export type TypeGuard<T, S extends T> = (event: T) => event is S;

/**
 * A class whose instances are `S`, for an `instanceof` test.
 *
 * @example
 * ```ts
 * const ctor: SubtypeClass<Payment> = Payment;
 * ```
 */
export type SubtypeClass<S> = abstract new (...args: any[]) => S;

/**
 * Accepts the events of a subtype (Flink's `SubtypeCondition`). TypeScript has no runtime generics,
 * so the subtype is given either as a class (tested with `instanceof`) or as a type guard. The
 * constructor tells them apart (a `class`, a built-in constructor, or a function whose prototype has
 * methods is a class; anything else is a guard); use {@link SubtypeCondition.ofClass} or
 * {@link SubtypeCondition.ofGuard} to say which when in doubt (an ES5-style constructor without
 * prototype methods would be taken for a guard).
 *
 * Note: primitives are never `instanceof` anything; use a guard for them.
 *
 * @example
 * ```ts
 * new SubtypeCondition<Event, Payment>(Payment);                            // instanceof
 * new SubtypeCondition<Event, Payment>((e): e is Payment => e.kind === 'pay'); // guard
 * ```
 */
export class SubtypeCondition<T, S extends T = T> implements IterativeConditionObject<T, T> {
  private readonly test: (event: T) => boolean;
  /** `'class'` for an `instanceof` test, `'guard'` for a type guard. */
  readonly kind: 'class' | 'guard';
  /** The class or guard given. */
  readonly subtype: SubtypeClass<S> | TypeGuard<T, S>;

  constructor(subtype: SubtypeClass<S> | TypeGuard<T, S>, kind?: 'class' | 'guard') {
    if (typeof subtype !== 'function') {
      throw new TypeError('The subtype must be a class or a type guard function.');
    }
    this.kind = kind ?? (looksLikeClass(subtype) ? 'class' : 'guard');
    if (this.kind === 'class') {
      const ctor = subtype as SubtypeClass<S>;
      this.test = (event) => event instanceof ctor;
    } else {
      const guard = subtype as TypeGuard<T, S>;
      this.test = (event) => guard(event) === true;
    }
    this.subtype = subtype;
  }

  /**
   * An `instanceof` test against `ctor`, whatever it looks like.
   *
   * @example
   * ```ts
   * SubtypeCondition.ofClass<Event, Payment>(Payment);
   * ```
   */
  static ofClass<T, S extends T>(ctor: SubtypeClass<S>): SubtypeCondition<T, S> {
    return new SubtypeCondition<T, S>(ctor, 'class');
  }

  /**
   * A test by the type guard `guard`, whatever it looks like.
   *
   * @example
   * ```ts
   * SubtypeCondition.ofGuard<Event, Payment>((e): e is Payment => e.kind === 'pay');
   * ```
   */
  static ofGuard<T, S extends T>(guard: TypeGuard<T, S>): SubtypeCondition<T, S> {
    return new SubtypeCondition<T, S>(guard, 'guard');
  }

  filter(event: T): boolean {
    return this.test(event);
  }
}

const NATIVE_CODE = /\{\s*\[native code\]\s*\}\s*$/;

function looksLikeClass(fn: Function): boolean {
  const source = Function.prototype.toString.call(fn);
  if (/^class[\s{]/.test(source)) return true;
  // Arrow functions, methods and bound functions have no prototype: they are guards.
  if (!Object.hasOwn(fn, 'prototype') || fn.prototype === undefined) return false;
  // Built-in constructors such as Date, Error or Map.
  if (NATIVE_CODE.test(source)) return true;
  // An ES5-style constructor with methods on its prototype.
  return Object.getOwnPropertyNames(fn.prototype).length > 1;
}
