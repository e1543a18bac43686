import type { BroadcastState, ReadOnlyBroadcastState } from '../../state/broadcast-state.js';

/** A read-only face of a broadcast state, handed to the element side. */
export class ReadOnlyBroadcastStateView<K, V> implements ReadOnlyBroadcastState<K, V> {
  constructor(private readonly state: BroadcastState<K, V>) {}

  get(key: K): V | undefined {
    return this.state.get(key);
  }

  contains(key: K): boolean {
    return this.state.contains(key);
  }

  immutableEntries(): Iterable<readonly [K, V]> {
    return this.state.immutableEntries();
  }

  size(): number {
    return this.state.size();
  }
}
