import type { BufferNode } from './shared-buffer-entry.js';

/**
 * A partial match (Flink's `ComputationState`): the NFA state it waits in, the shared-buffer node of
 * its last taken event (`null` before the first), the timestamp and arrival id of its first event
 * (`-1`/`null` for the start state), and the timestamp of its last taken event (for
 * `PREVIOUS_AND_CURRENT` windows). Immutable: a partial match that only skips an event stays the
 * same object.
 *
 * @example
 * ```ts
 * const cs: ComputationState<Event> = { state: 0, previous: null, startTimestamp: -1, previousTimestamp: -1, startEventId: null };
 * ```
 */
export interface ComputationState<T> {
  /** Index of the NFA state in `CompiledNFA.states`. */
  readonly state: number;
  readonly previous: BufferNode<T> | null;
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
export function compareByStartEvent<T>(a: ComputationState<T>, b: ComputationState<T>): number {
  const x = a.startEventId ?? Number.MAX_SAFE_INTEGER;
  const y = b.startEventId ?? Number.MAX_SAFE_INTEGER;
  return x - y;
}
