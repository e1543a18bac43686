import type { OpenContext, RuntimeContext } from '../../../core/index.js';
import type { ConditionContext } from './condition-context.js';
import {
  type IterativeCondition,
  type IterativeConditionFunction,
  type IterativeConditionObject,
  toConditionFunction,
} from './iterative-condition.js';

/**
 * Base of the conditions built from other conditions (Flink's `RichCompositeIterativeCondition`):
 * keeps the nested conditions for inspection, pre-binds them as functions for speed, and forwards
 * the lifecycle (`setRuntimeContext`, `open`, `close`) to the nested conditions that have one.
 *
 * @example
 * ```ts
 * const both = new RichAndCondition<Event>(isLogin, isFromNewDevice);
 * both.getNestedConditions(); // [isLogin, isFromNewDevice]
 * ```
 */
export abstract class RichCompositeIterativeCondition<E, T = E> implements IterativeConditionObject<E, T> {
  private readonly nested: readonly IterativeCondition<E, T>[];
  /** The nested conditions as functions, in order. */
  protected readonly nestedFunctions: readonly IterativeConditionFunction<E, T>[];

  protected constructor(...nested: IterativeCondition<E, T>[]) {
    this.nested = Object.freeze([...nested]);
    this.nestedFunctions = Object.freeze(nested.map((c) => toConditionFunction(c)));
  }

  abstract filter(event: E, ctx: ConditionContext<T>): boolean;

  /** The conditions this one is built from, in order. @example `and.getNestedConditions() // [left, right]` */
  getNestedConditions(): readonly IterativeCondition<E, T>[] {
    return this.nested;
  }

  /** Passes the runtime context to the nested rich conditions. @example `condition.setRuntimeContext(ctx)` */
  setRuntimeContext(context: RuntimeContext): void {
    for (const c of this.richNested()) c.setRuntimeContext?.(context);
  }

  /** Opens the nested rich conditions in order; a promise only if one of them is async. @example `await condition.open(openCtx)` */
  open(context: OpenContext): void | Promise<void> {
    return sequence(this.richNested(), (c) => c.open?.(context));
  }

  /** Closes the nested rich conditions in order. @example `await condition.close()` */
  close(): void | Promise<void> {
    return sequence(this.richNested(), (c) => c.close?.());
  }

  private richNested(): IterativeConditionObject<E, T>[] {
    return this.nested.filter((c): c is IterativeConditionObject<E, T> => typeof c !== 'function');
  }
}

/** Calls `step` on each item in order, awaiting only when a step returns a promise. */
function sequence<X>(items: readonly X[], step: (x: X) => void | Promise<void>): void | Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const r = step(items[i]!);
    if (r instanceof Promise) {
      return r.then(async () => {
        for (let j = i + 1; j < items.length; j++) await step(items[j]!);
      });
    }
  }
}
