/**
 * What a `within` time constraint measures (Flink's `WithinType`).
 *
 * - `FIRST_AND_LAST`: the time between the first and the last event of the whole match. If several
 *   stages set one, the smallest applies to the whole pattern.
 * - `PREVIOUS_AND_CURRENT`: the time between the event matched by the previous stage (or the
 *   previous iteration of a loop) and the event matched by the stage the constraint is set on.
 *
 * @example
 * ```ts
 * Pattern.begin<Event>('a')
 *   .followedBy('b').within(Duration.ofSeconds(10), WithinType.PREVIOUS_AND_CURRENT)
 *   .within(Duration.ofMinutes(1)); // FIRST_AND_LAST by default
 * ```
 */
export enum WithinType {
  FIRST_AND_LAST = 'FIRST_AND_LAST',
  PREVIOUS_AND_CURRENT = 'PREVIOUS_AND_CURRENT',
}
