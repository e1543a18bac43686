import type { BroadcastState } from './broadcast-state.js';
import { NormalizedMap } from './normalized-map.js';

/**
 * {@link BroadcastState} on the heap. Keys may be any value: identity goes through `normalizeKey`
 * (so `[1, 'a']` finds an entry put under another `[1, 'a']`), and the original key is returned
 * by the iterators.
 *
 * @internal Created by `DefaultOperatorStateBackend.getBroadcastState`.
 */
export class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  private readonly map = new NormalizedMap<K, V>();

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  contains(key: K): boolean {
    return this.map.has(key);
  }

  put(key: K, value: V): void {
    this.map.set(key, value);
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [key, value] of entries) this.map.set(key, value);
  }

  remove(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** A copy of the entries, safe to iterate while modifying the state. */
  entries(): [K, V][] {
    return this.map.entriesArray();
  }

  immutableEntries(): Iterable<readonly [K, V]> {
    return this.map.entriesArray();
  }

  size(): number {
    return this.map.size;
  }
}
