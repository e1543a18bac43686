import type { ConditionContext } from './condition-context.js';
import type { IterativeCondition } from './iterative-condition.js';
import { RichCompositeIterativeCondition } from './rich-composite-iterative-condition.js';

/**
 * Either condition holds (Flink's `RichOrCondition`); `right` is tested only when `left` does not
 * hold. This is what `Pattern.or` builds when a stage already has a condition.
 *
 * @example
 * ```ts
 * const loginOrLogout = new RichOrCondition<Event>((e) => e.type === 'login', (e) => e.type === 'logout');
 * ```
 */
export class RichOrCondition<E, T = E> extends RichCompositeIterativeCondition<E, T> {
  constructor(left: IterativeCondition<E, T>, right: IterativeCondition<E, T>) {
    super(left, right);
  }

  filter(event: E, ctx: ConditionContext<T>): boolean {
    return this.nestedFunctions[0]!(event, ctx) || this.nestedFunctions[1]!(event, ctx);
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
