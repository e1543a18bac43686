import type { KeyGroupRange } from './key-groups.js';
import type { State } from './state.js';
import type { StateDescriptor } from './state-descriptor.js';

/**
 * Namespaces separate state of the same key and name, e.g. one per window. The state layer needs
 * them as `Map` keys, so they are strings or numbers; the window operator encodes its windows.
 */
export type Namespace = string | number;

/** The namespace of plain keyed state (not scoped to a window). */
export const VOID_NAMESPACE: Namespace = '';

/**
 * Snapshot of anything partitioned by key group: each entry is one key group's bytes, so a restore
 * at another parallelism picks the groups of its new range.
 */
export interface KeyGroupedSnapshot {
  readonly maxParallelism: number;
  readonly groups: ReadonlyArray<readonly [keyGroup: number, bytes: Uint8Array]>;
  /**
   * Set on an incremental snapshot: the id of the completed checkpoint it is a delta to. Its groups
   * hold only the entries changed since that checkpoint's snapshot (and their removals); a storage
   * that keeps chains resolves it into a full snapshot on load (the base's groups, then these).
   */
  readonly base?: number;
}

/** A state handle that the operator can also point at a namespace. */
export type InternalKvState<S extends State> = S & {
  setCurrentNamespace(namespace: Namespace): void;
  getCurrentNamespace(): Namespace;
};

/**
 * Keyed state of one operator instance. The operator sets the current key before each record or
 * timer; every handle then reads and writes that key's entries.
 */
export interface KeyedStateBackend<K = unknown> {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;

  setCurrentKey(key: K): void;
  getCurrentKey(): K;
  /** Key group of the current key (computed on demand: the hot path does not need it). */
  getCurrentKeyGroup(): number;

  /**
   * Returns the handle for a descriptor, creating it on first use; the same descriptor name always
   * yields the same handle. Restored entries of that name become visible here.
   */
  getOrCreateKeyedState<S extends State>(descriptor: StateDescriptor<S, any>): InternalKvState<S>;

  /** Keys that have an entry in the named state under `namespace`. */
  getKeys(stateName: string, namespace: Namespace): Iterable<K>;

  /**
   * Calls `fn` for every key with an entry in the state under `namespace`, with the backend's
   * current key set to that key (Flink's `applyToAllKeys`; used by `applyToKeyedState`).
   */
  applyToAllKeys<S extends State>(
    namespace: Namespace,
    descriptor: StateDescriptor<S, any>,
    fn: (key: K, state: S) => void,
    /**
     * `fn` only reads (a metrics walk): the visit does not count as touching the keys, so an
     * incremental checkpoint does not write them again. `fn` must then change nothing.
     */
    readOnly?: boolean,
  ): void;

  /** Hook called once per processed record; runs TTL cleanup configured to run for every record. */
  onRecordProcessed(): void;

  /** Number of (state, namespace, key) entries held, for metrics and TTL tests. */
  numEntries(): number;

  /** Number of distinct keys with at least one entry in any state. */
  numKeys(): number;

  /**
   * A snapshot of every state, expired TTL entries excluded; with a `SnapshotPlanner` and a
   * checkpoint id, a delta to the plan's base when the plan allows it (see `KeyGroupedSnapshot.base`).
   */
  snapshot(checkpointId?: number): KeyGroupedSnapshot;

  /**
   * Loads the key groups of this backend's range from snapshots of any number of former instances
   * (several when parallelism went down, a part of one when it went up). Call before processing.
   */
  restore(snapshots: readonly KeyGroupedSnapshot[]): void;

  dispose(): void;
}
