/**
 * What an {@link IterativeCondition} can see besides the event it tests (Flink's
 * `IterativeCondition.Context`). The NFA implements it; the pattern API only declares it.
 *
 * @example
 * ```ts
 * // accept "end" only if its price exceeds the sum of the prices already matched to "middle"
 * const higherThanMiddle: IterativeCondition<Event> = (e, ctx) => {
 *   let sum = 0;
 *   for (const m of ctx.getEventsForPattern('middle')) sum += m.price;
 *   return e.price > sum;
 * };
 * ```
 */
export interface ConditionContext<T> {
  /**
   * The events already matched to the stage `name` in the current partial match, oldest first;
   * empty if none (or if the stage does not exist). Reading them costs a walk of the shared buffer,
   * so read them only when needed.
   */
  getEventsForPattern(name: string): Iterable<T>;
  /** The timestamp of the event being tested (event time, or processing time when the operator runs on it). */
  timestamp(): number;
  /** The current processing time, in epoch milliseconds. */
  currentProcessingTime(): number;
}
