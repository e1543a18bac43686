import { deserialize, serialize } from 'node:v8';
import type { ComputationState } from './computation-state.js';
import { DeweyNumber } from './dewey-number.js';
import type { CompiledNFA } from './nfa-compiler.js';
import type { NFAState } from './nfa-state.js';
import { SharedBuffer, type SharedBufferData } from './shared-buffer.js';

/**
 * The plain-data form of a partial match: the NFA state by its unique name (stable across
 * recompilations of the same pattern), the version as digits.
 *
 * @example
 * ```ts
 * const data: ComputationStateData = { state: 'b:1', previous: 3, version: [1, 0], startTimestamp: 10, previousTimestamp: 12, startEventId: 0 };
 * ```
 */
export interface ComputationStateData {
  readonly state: string;
  readonly previous: number | null;
  readonly version: number[];
  readonly startTimestamp: number;
  readonly previousTimestamp: number;
  readonly startEventId: number | null;
}

/**
 * The plain-data form of an {@link NFAState} (structured-cloneable when the events are).
 *
 * @example
 * ```ts
 * const data = nfaStateToData(compiled, state);
 * const copy = nfaStateFromData(compiled, structuredClone(data));
 * ```
 */
export interface NFAStateData<T> {
  readonly version: 1;
  readonly partialMatches: ComputationStateData[];
  readonly completedMatches: ComputationStateData[];
  readonly buffer: SharedBufferData<T>;
}

/** The state as plain data. @example `nfaStateToData(compiled, state)` */
export function nfaStateToData<T>(compiled: CompiledNFA<T>, state: NFAState<T>): NFAStateData<T> {
  const toData = (cs: ComputationState): ComputationStateData => ({
    state: compiled.states[cs.state]!.name,
    previous: cs.previous,
    version: cs.version.toArray(),
    startTimestamp: cs.startTimestamp,
    previousTimestamp: cs.previousTimestamp,
    startEventId: cs.startEventId,
  });
  return {
    version: 1,
    partialMatches: state.partialMatches.map(toData),
    completedMatches: state.completedMatches.map(toData),
    buffer: state.buffer.toData(),
  };
}

/**
 * Rebuilds a state from {@link nfaStateToData}, for the same pattern (compiled again); throws if a
 * partial match names a state the pattern does not have.
 *
 * @example
 * ```ts
 * const state = nfaStateFromData(compiled, data);
 * ```
 */
export function nfaStateFromData<T>(compiled: CompiledNFA<T>, data: NFAStateData<T>): NFAState<T> {
  if (data.version !== 1) throw new Error(`Unsupported NFA state format version ${String(data.version)}`);
  const fromData = (cs: ComputationStateData): ComputationState => {
    const state = compiled.stateIndex.get(cs.state);
    if (state === undefined) {
      throw new Error(
        `The NFA state "${cs.state}" of a restored partial match is not in the compiled pattern`,
      );
    }
    return {
      state,
      previous: cs.previous,
      version: DeweyNumber.fromArray(cs.version),
      startTimestamp: cs.startTimestamp,
      previousTimestamp: cs.previousTimestamp,
      startEventId: cs.startEventId,
    };
  };
  return {
    partialMatches: data.partialMatches.map(fromData),
    completedMatches: data.completedMatches.map(fromData),
    buffer: SharedBuffer.fromData(data.buffer),
  };
}

/**
 * The state as bytes (`node:v8` serialization of {@link nfaStateToData}); the events must be
 * structured-cloneable (plain objects, arrays, primitives, Dates, Maps…; class instances come back
 * as plain objects).
 *
 * @example
 * ```ts
 * const bytes = serializeNFAState(compiled, state);
 * const restored = deserializeNFAState(compiled, bytes);
 * ```
 */
export function serializeNFAState<T>(compiled: CompiledNFA<T>, state: NFAState<T>): Uint8Array {
  return serialize(nfaStateToData(compiled, state));
}

/** Rebuilds a state from {@link serializeNFAState}. @example `deserializeNFAState(compiled, bytes)` */
export function deserializeNFAState<T>(compiled: CompiledNFA<T>, bytes: Uint8Array): NFAState<T> {
  return nfaStateFromData(compiled, deserialize(bytes) as NFAStateData<T>);
}
