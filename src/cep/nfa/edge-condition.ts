import { BooleanConditions } from '../pattern/conditions/boolean-conditions.js';
import type { ConditionContext } from '../pattern/conditions/condition-context.js';
import { type IterativeCondition, toConditionFunction } from '../pattern/conditions/iterative-condition.js';
import { RichCompositeIterativeCondition } from '../pattern/conditions/rich-composite-iterative-condition.js';

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

/** Edge conditions known not to read the condition context (see {@link isContextFreeEdge}). */
const contextFree = new WeakSet<object>();

function markContextFree<T>(c: EdgeCondition<T>, free: boolean): EdgeCondition<T> {
  if (c !== null && free) contextFree.add(c);
  return c;
}

/**
 * Whether a pattern condition cannot read the {@link ConditionContext}: a function or `filter`
 * declared with at most one parameter (`(e) => e.type === 'a'`, Flink's `SimpleCondition`), or a
 * composite of such conditions. The NFA evaluates those once per event and NFA state instead of
 * once per partial match, so their result must depend on the event alone (no side effects, no
 * clock), as Flink's documentation asks of every condition.
 *
 * @example
 * ```ts
 * isContextFreeCondition((e: Event) => e.ok);                                   // true
 * isContextFreeCondition((e: Event, ctx) => [...ctx.getEventsForPattern('a')].length > 2); // false
 * ```
 */
export function isContextFreeCondition(condition: IterativeCondition<any, any>): boolean {
  if (condition instanceof RichCompositeIterativeCondition) {
    return condition.getNestedConditions().every(isContextFreeCondition);
  }
  if (typeof condition === 'function') return condition.length <= 1;
  return typeof condition?.filter === 'function' && condition.filter.length <= 1;
}

/**
 * Whether an edge condition is context-free (`null`, or built only from context-free conditions).
 *
 * @example
 * ```ts
 * isContextFreeEdge(edgeCondition((e: Event) => e.ok)); // true
 * ```
 */
export function isContextFreeEdge<T>(c: EdgeCondition<T>): boolean {
  return c === null || contextFree.has(c);
}

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
  return markContextFree(
    toConditionFunction(condition) as EdgeCondition<T>,
    isContextFreeCondition(condition),
  );
}

/** Negation; `not(null)` is "never". @example `notEdge(isA)` */
export function notEdge<T>(c: EdgeCondition<T>): EdgeCondition<T> {
  if (c === null) return markContextFree(() => false, true);
  return markContextFree((e, ctx) => !c(e, ctx), isContextFreeEdge(c));
}

/** Conjunction, short-circuit left to right. @example `andEdge(isA, isBig)` */
export function andEdge<T>(a: EdgeCondition<T>, b: EdgeCondition<T>): EdgeCondition<T> {
  if (a === null) return b;
  if (b === null) return a;
  return markContextFree((e, ctx) => a(e, ctx) && b(e, ctx), isContextFreeEdge(a) && isContextFreeEdge(b));
}

/** Disjunction, short-circuit left to right. @example `orEdge(isA, isB)` */
export function orEdge<T>(a: EdgeCondition<T>, b: EdgeCondition<T>): EdgeCondition<T> {
  if (a === null || b === null) return null;
  return markContextFree((e, ctx) => a(e, ctx) || b(e, ctx), isContextFreeEdge(a) && isContextFreeEdge(b));
}

/** Evaluates `c` (`null` is true). @example `testEdge(c, event, ctx)` */
export function testEdge<T>(c: EdgeCondition<T>, event: T, ctx: ConditionContext<T>): boolean {
  return c === null || c(event, ctx);
}
