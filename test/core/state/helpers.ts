import { HeapKeyedStateBackend } from '../../../src/core/state/heap-keyed-state-backend.js';
import { type InternalMergingState, isMergingState } from '../../../src/core/state/internal-merging-state.js';
import { KeyGroupRange } from '../../../src/core/state/key-groups.js';

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public t = 0) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A backend owning all key groups (or instance `index` of `parallelism`). */
export function newBackend<K = unknown>(
  clock: { now(): number } = new ManualClock(),
  maxParallelism = 128,
  parallelism = 1,
  index = 0,
): HeapKeyedStateBackend<K> {
  return new HeapKeyedStateBackend<K>({
    maxParallelism,
    keyGroupRange: KeyGroupRange.forOperatorIndex(maxParallelism, parallelism, index),
    clock,
  });
}

/** The handle seen as merging state (list, reducing, aggregating), checked at run time. */
export function merging<S>(state: S): S & InternalMergingState {
  if (!isMergingState(state)) throw new Error('not a merging state');
  return state;
}
