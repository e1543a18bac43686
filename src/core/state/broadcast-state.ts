/**
 * Broadcast state as the element side of a broadcast connection sees it: read only, because every
 * parallel instance must keep an identical copy and only the broadcast side sees the same input
 * everywhere.
 */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  immutableEntries(): Iterable<readonly [K, V]>;
  size(): number;
}

/** Broadcast state as the broadcast side sees it (read-write). */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  clear(): void;
  entries(): Iterable<[K, V]>;
}
