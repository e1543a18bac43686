import { BooleanConditions } from '../pattern/conditions/boolean-conditions.js';
import type { ConditionContext } from '../pattern/conditions/condition-context.js';
import { type IterativeCondition, toConditionFunction } from '../pattern/conditions/iterative-condition.js';

/**
 * The condition on an NFA transition, as a plain function; `null` means "always true" (so the
 * runtime can skip the call and the compiler can recognise unconditional PROCEED edges).
 *
 * @example
 * ```ts
 * const c: EdgeCondition<Event> = (e) => e.type === 'a';
 * ```
 */
export type EdgeCondition<T> = ((event: T, ctx: ConditionContext<T>) => boolean) | null;

/**
 * Turns a pattern condition into an {@link EdgeCondition} (`BooleanConditions.trueFunction()` becomes
 * `null`).
 *
 * @example
 * ```ts
 * edgeCondition(BooleanConditions.trueFunction()); // null
 * ```
 */
export function edgeCondition<T>(condition: IterativeCondition<any, T> | undefined): EdgeCondition<T> {
  if (condition === undefined || condition === BooleanConditions.trueFunction()) return null;
  return toConditionFunction(condition) as EdgeCondition<T>;
}

/** Negation; `not(null)` is "never". @example `notEdge(isA)` */
export function notEdge<T>(c: EdgeCondition<T>): EdgeCondition<T> {
  if (c === null) return () => false;
  return (e, ctx) => !c(e, ctx);
}

/** Conjunction, short-circuit left to right. @example `andEdge(isA, isBig)` */
export function andEdge<T>(a: EdgeCondition<T>, b: EdgeCondition<T>): EdgeCondition<T> {
  if (a === null) return b;
  if (b === null) return a;
  return (e, ctx) => a(e, ctx) && b(e, ctx);
}

/** Disjunction, short-circuit left to right. @example `orEdge(isA, isB)` */
export function orEdge<T>(a: EdgeCondition<T>, b: EdgeCondition<T>): EdgeCondition<T> {
  if (a === null || b === null) return null;
  return (e, ctx) => a(e, ctx) || b(e, ctx);
}

/** Evaluates `c` (`null` is true). @example `testEdge(c, event, ctx)` */
export function testEdge<T>(c: EdgeCondition<T>, event: T, ctx: ConditionContext<T>): boolean {
  return c === null || c(event, ctx);
}
