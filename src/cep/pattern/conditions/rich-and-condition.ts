import type { ConditionContext } from './condition-context.js';
import type { IterativeCondition } from './iterative-condition.js';
import { RichCompositeIterativeCondition } from './rich-composite-iterative-condition.js';

/**
 * Both conditions hold (Flink's `RichAndCondition`); `right` is tested only when `left` holds, so a
 * {@link SubtypeCondition} on the left guards a condition on the subtype on the right. This is what
 * `Pattern.where` builds when a stage already has a condition.
 *
 * @example
 * ```ts
 * const bigLogin = new RichAndCondition<Event>((e) => e.type === 'login', (e) => e.amount > 100);
 * ```
 */
export class RichAndCondition<E, T = E> extends RichCompositeIterativeCondition<E, T> {
  constructor(left: IterativeCondition<E, T>, right: IterativeCondition<E, T>) {
    super(left, right);
  }

  filter(event: E, ctx: ConditionContext<T>): boolean {
    return this.nestedFunctions[0]!(event, ctx) && this.nestedFunctions[1]!(event, ctx);
  }

  /** The first operand. */
  getLeft(): IterativeCondition<E, T> {
    return this.getNestedConditions()[0]!;
  }

  /** The second operand. */
  getRight(): IterativeCondition<E, T> {
    return this.getNestedConditions()[1]!;
  }
}
