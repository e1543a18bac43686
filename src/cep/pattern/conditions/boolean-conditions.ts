import type { IterativeConditionFunction } from './iterative-condition.js';

const TRUE: IterativeConditionFunction<any, any> = Object.freeze(() => true);
const FALSE: IterativeConditionFunction<any, any> = Object.freeze(() => false);

/**
 * The constant conditions (Flink's `BooleanConditions`). They are singletons, so the compiler may
 * recognise them by identity; {@link Pattern.getCondition} returns `trueFunction()` for a stage
 * without condition.
 *
 * @example
 * ```ts
 * Pattern.begin<Event>('any').getCondition() === BooleanConditions.trueFunction(); // true
 * ```
 */
export const BooleanConditions = {
  /** Accepts every event. */
  trueFunction<E, T = E>(): IterativeConditionFunction<E, T> {
    return TRUE;
  },
  /** Accepts no event. */
  falseFunction<E, T = E>(): IterativeConditionFunction<E, T> {
    return FALSE;
  },
} as const;
