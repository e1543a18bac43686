import type { ComputationState } from './computation-state.js';
import type { SharedBuffer } from './shared-buffer.js';

/**
 * The NFA state of one key (Flink's `NFAState` plus the key's `SharedBuffer`): the partial matches
 * (including the one waiting in the start state), the completed matches held back by a skip
 * strategy until no earlier partial match can still complete, and the shared buffer of their
 * events. Create it with `NFA.createInitialState()`; serialize it with `serializeNFAState`.
 *
 * @example
 * ```ts
 * const state = nfa.createInitialState();
 * nfa.process(state, event, ts);
 * nfa.isStateEmpty(state);
 * ```
 */
export interface NFAState<T> {
  partialMatches: ComputationState<T>[];
  completedMatches: ComputationState<T>[];
  readonly buffer: SharedBuffer<T>;
}
