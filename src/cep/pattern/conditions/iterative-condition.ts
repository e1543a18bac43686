import type { RichFunction } from '../../../core/index.js';
import type { ConditionContext } from './condition-context.js';

/**
 * A condition written as a function of the event `E` being tested and the {@link ConditionContext}
 * over the pattern's base type `T`.
 *
 * @example
 * ```ts
 * const isLogin: IterativeConditionFunction<Event> = (e) => e.type === 'login';
 * ```
 */
export type IterativeConditionFunction<E, T = E> = (event: E, ctx: ConditionContext<T>) => boolean;

/**
 * A condition written as an object with `filter`, optionally with a lifecycle (`open`, `close`,
 * `setRuntimeContext`, as Flink's `RichIterativeCondition`), which the CEP operator drives.
 *
 * @example
 * ```ts
 * class AboveThreshold implements IterativeConditionObject<Event> {
 *   private threshold = 0;
 *   open() { this.threshold = 100; }
 *   filter(e: Event) { return e.amount > this.threshold; }
 * }
 * ```
 */
export interface IterativeConditionObject<E, T = E> extends RichFunction {
  filter(event: E, ctx: ConditionContext<T>): boolean;
}

/**
 * A condition an event must satisfy to be accepted by a stage (Flink's `IterativeCondition`): a
 * function `(event, ctx) => boolean` or an object with `filter(event, ctx)`. Through `ctx` it can read
 * the events already matched to other stages of the same partial match, and the event's timestamp.
 * `E` is the type of the tested event, `T` the pattern's base type (what `ctx` returns).
 *
 * A {@link SimpleCondition} `(event) => boolean` is an `IterativeCondition` too.
 *
 * @example
 * ```ts
 * const rising: IterativeCondition<Event> = (e, ctx) => {
 *   let last: Event | undefined;
 *   for (const m of ctx.getEventsForPattern('rise')) last = m;
 *   return last === undefined || e.price > last.price;
 * };
 * Pattern.begin<Event>('rise').where(rising).oneOrMore();
 * ```
 */
export type IterativeCondition<E, T = E> = IterativeConditionFunction<E, T> | IterativeConditionObject<E, T>;

/**
 * The condition as a plain function (an object's `filter` bound to it), for the hot path.
 *
 * @example
 * ```ts
 * const test = toConditionFunction(condition);
 * test(event, ctx);
 * ```
 */
export function toConditionFunction<E, T>(
  condition: IterativeCondition<E, T>,
): IterativeConditionFunction<E, T> {
  if (typeof condition === 'function') return condition;
  if (condition === null || typeof condition !== 'object' || typeof condition.filter !== 'function') {
    throw new TypeError('A condition must be a function (event, ctx) => boolean or an object with filter()');
  }
  return (event, ctx) => condition.filter(event, ctx);
}

/**
 * Whether `value` can be used as an {@link IterativeCondition}.
 *
 * @example
 * ```ts
 * isIterativeCondition((e: Event) => e.ok); // true
 * isIterativeCondition(null);               // false
 * ```
 */
export function isIterativeCondition(value: unknown): value is IterativeCondition<unknown, unknown> {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { filter?: unknown }).filter === 'function')
  );
}
