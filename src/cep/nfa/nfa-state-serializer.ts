import { deserialize, serialize } from 'node:v8';
import type { ComputationState } from './computation-state.js';
import type { CompiledNFA } from './nfa-compiler.js';
import type { NFAState } from './nfa-state.js';
import { SharedBuffer, type SharedBufferData } from './shared-buffer.js';

/**
 * The plain-data form of a partial match: the NFA state by its unique name (stable across
 * recompilations of the same pattern); its last node is the matching entry of the buffer's roots.
 *
 * @example
 * ```ts
 * const data: ComputationStateData = { state: 'b:1', startTimestamp: 10, previousTimestamp: 12, startEventId: 0 };
 * ```
 */
export interface ComputationStateData {
  readonly state: string;
  readonly startTimestamp: number;
  readonly previousTimestamp: number;
  readonly startEventId: number | null;
}

/**
 * The plain-data form of an {@link NFAState} (structured-cloneable when the events are): the
 * buffer's roots are the last nodes of the partial matches, then of the completed ones, in order.
 *
 * @example
 * ```ts
 * const data = nfaStateToData(compiled, state);
 * const copy = nfaStateFromData(compiled, structuredClone(data));
 * ```
 */
export interface NFAStateData<T> {
  readonly version: 2;
  readonly partialMatches: ComputationStateData[];
  readonly completedMatches: ComputationStateData[];
  readonly buffer: SharedBufferData<T>;
}

/** The state as plain data. @example `nfaStateToData(compiled, state)` */
export function nfaStateToData<T>(compiled: CompiledNFA<T>, state: NFAState<T>): NFAStateData<T> {
  const toData = (cs: ComputationState<T>): ComputationStateData => ({
    state: compiled.states[cs.state]!.name,
    startTimestamp: cs.startTimestamp,
    previousTimestamp: cs.previousTimestamp,
    startEventId: cs.startEventId,
  });
  const roots = [...state.partialMatches, ...state.completedMatches].map((cs) => cs.previous);
  return {
    version: 2,
    partialMatches: state.partialMatches.map(toData),
    completedMatches: state.completedMatches.map(toData),
    buffer: state.buffer.toData(roots),
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
  if (data.version !== 2) throw new Error(`Unsupported NFA state format version ${String(data.version)}`);
  const { buffer, roots } = SharedBuffer.fromData(data.buffer);
  const all = [...data.partialMatches, ...data.completedMatches];
  if (roots.length !== all.length)
    throw new Error('Corrupt NFA state: partial matches and buffer roots differ');
  const runs = all.map((cs, i): ComputationState<T> => {
    const state = compiled.stateIndex.get(cs.state);
    if (state === undefined) {
      throw new Error(
        `The NFA state "${cs.state}" of a restored partial match is not in the compiled pattern`,
      );
    }
    const previous = roots[i]!;
    if (previous !== null) buffer.lockNode(previous);
    return {
      state,
      previous,
      startTimestamp: cs.startTimestamp,
      previousTimestamp: cs.previousTimestamp,
      startEventId: cs.startEventId,
    };
  });
  return {
    partialMatches: runs.slice(0, data.partialMatches.length),
    completedMatches: runs.slice(data.partialMatches.length),
    buffer,
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
