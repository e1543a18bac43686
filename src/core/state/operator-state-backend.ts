import type { BroadcastState } from './broadcast-state.js';
import type { ListState } from './state.js';
import type { ListStateDescriptor, MapStateDescriptor } from './state-descriptor.js';

/**
 * Non-keyed state of one operator instance (Flink's `OperatorStateStore`).
 *
 * - `getListState`: on restore the union of all instances' lists is split evenly (round robin)
 *   over the new instances.
 * - `getUnionListState`: on restore every instance gets the whole union.
 * - `getBroadcastState`: the same map in every instance; on restore each new instance takes a copy.
 */
export interface OperatorStateStore {
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Snapshot of one operator instance's non-keyed state; element bytes use each descriptor's serializer. */
export interface OperatorStateSnapshot {
  readonly list: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly union: Readonly<Record<string, readonly Uint8Array[]>>;
  readonly broadcast: Readonly<Record<string, ReadonlyArray<readonly [key: unknown, value: Uint8Array]>>>;
}

/** The operator state store plus snapshot and restore. */
export interface OperatorStateBackend extends OperatorStateStore {
  snapshot(): OperatorStateSnapshot;
  /**
   * Restores from the snapshots of every former instance (indexed by old subtask) for the instance
   * `subtaskIndex` of `parallelism`. Call before the first `get*State`.
   */
  restore(snapshots: readonly OperatorStateSnapshot[], subtaskIndex: number, parallelism: number): void;
  dispose(): void;
}
