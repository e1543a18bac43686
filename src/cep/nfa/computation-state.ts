import type { DeweyNumber } from './dewey-number.js';

/**
 * A partial match (Flink's `ComputationState`): the NFA state it waits in, the shared-buffer node of
 * its last taken event (`null` before the first), its version, the timestamp and id of its first
 * event (`null`/`-1` for the start state), and the timestamp of its last taken event (for
 * `PREVIOUS_AND_CURRENT` windows).
 *
 * @example
 * ```ts
 * const cs: ComputationState = { state: 0, previous: null, version: DeweyNumber.of(1), startTimestamp: -1, previousTimestamp: -1, startEventId: null };
 * ```
 */
export interface ComputationState {
  /** Index of the NFA state in `CompiledNFA.states`. */
  readonly state: number;
  readonly previous: number | null;
  readonly version: DeweyNumber;
  readonly startTimestamp: number;
  readonly previousTimestamp: number;
  readonly startEventId: number | null;
}

/**
 * Orders partial matches by their first event (the start state, without one, last), as Flink's
 * `NFAState.COMPUTATION_STATE_COMPARATOR`.
 *
 * @example
 * ```ts
 * partialMatches.sort(compareByStartEvent);
 * ```
 */
export function compareByStartEvent(a: ComputationState, b: ComputationState): number {
  const x = a.startEventId ?? Number.MAX_SAFE_INTEGER;
  const y = b.startEventId ?? Number.MAX_SAFE_INTEGER;
  return x - y;
}
