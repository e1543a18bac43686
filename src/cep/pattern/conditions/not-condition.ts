import type { ConditionContext } from './condition-context.js';
import type { IterativeCondition } from './iterative-condition.js';
import { RichCompositeIterativeCondition } from './rich-composite-iterative-condition.js';

/**
 * The negation of a condition (Flink's `RichNotCondition`). The NFA compiler uses it for ignore
 * edges, negations and `until`.
 *
 * @example
 * ```ts
 * const notLogin = new NotCondition<Event>((e) => e.type === 'login');
 * ```
 */
export class NotCondition<E, T = E> extends RichCompositeIterativeCondition<E, T> {
  constructor(original: IterativeCondition<E, T>) {
    super(original);
  }

  filter(event: E, ctx: ConditionContext<T>): boolean {
    return !this.nestedFunctions[0]!(event, ctx);
  }

  /** The negated condition. */
  getOriginal(): IterativeCondition<E, T> {
    return this.getNestedConditions()[0]!;
  }
}
