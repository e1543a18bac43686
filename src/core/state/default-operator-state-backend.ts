import type { BroadcastState } from './broadcast-state.js';
import { HeapBroadcastState } from './heap-broadcast-state.js';
import { OperatorListState } from './operator-list-state.js';
import type { OperatorStateBackend, OperatorStateSnapshot } from './operator-state-backend.js';
import type { ListState } from './state.js';
import type { ListStateDescriptor, MapStateDescriptor } from './state-descriptor.js';

type Registered =
  | {
      readonly mode: 'list' | 'union';
      readonly state: OperatorListState<any>;
      readonly descriptor: ListStateDescriptor<any>;
    }
  | {
      readonly mode: 'broadcast';
      readonly state: HeapBroadcastState<any, any>;
      readonly descriptor: MapStateDescriptor<any, any>;
      /** With immutable values: the bytes of each value object serialized so far. */
      readonly encoded: WeakMap<object, Uint8Array> | undefined;
    };

/**
 * Non-keyed state of one operator instance (Flink's `DefaultOperatorStateBackend`).
 *
 * Redistribution on restore at parallelism `p`, for new instance `i`:
 * - list state: the elements of all former instances are concatenated in subtask order and
 *   instance `i` gets every element `j` with `j % p === i` (an even round robin);
 * - union list state: every instance gets all elements;
 * - broadcast state: instance `i` takes the copy of former instance `i % oldParallelism` (all
 *   copies are identical anyway).
 *
 * Restored state is decoded when its descriptor is first requested (the serializer comes with
 * it); until then it is carried into later snapshots unchanged.
 *
 * @example
 * ```ts
 * const backend = new DefaultOperatorStateBackend();
 * backend.restore(previousSnapshots, subtaskIndex, parallelism);
 * const offsets = backend.getListState(new ListStateDescriptor<number>('offsets'));
 * ```
 */
export class DefaultOperatorStateBackend implements OperatorStateBackend {
  private readonly registered = new Map<string, Registered>();
  private pendingList = new Map<string, Uint8Array[]>();
  private pendingUnion = new Map<string, Uint8Array[]>();
  private pendingBroadcast = new Map<string, (readonly [unknown, Uint8Array])[]>();

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.listState(descriptor, 'list');
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.listState(descriptor, 'union');
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    const existing = this.lookup(descriptor.name, 'broadcast');
    if (existing !== undefined) return existing.state as HeapBroadcastState<K, V>;
    this.checkNotPendingAs(descriptor.name, 'broadcast');
    const state = new HeapBroadcastState<K, V>();
    const pending = this.pendingBroadcast.get(descriptor.name);
    if (pending !== undefined) {
      this.pendingBroadcast.delete(descriptor.name);
      for (const [key, bytes] of pending) state.put(key as K, descriptor.serializer.deserialize(bytes));
    }
    const encoded = descriptor.valuesImmutable ? new WeakMap<object, Uint8Array>() : undefined;
    this.registered.set(descriptor.name, { mode: 'broadcast', state, descriptor, encoded });
    return state;
  }

  private listState<T>(descriptor: ListStateDescriptor<T>, mode: 'list' | 'union'): ListState<T> {
    const existing = this.lookup(descriptor.name, mode);
    if (existing !== undefined) return existing.state as OperatorListState<T>;
    this.checkNotPendingAs(descriptor.name, mode);
    const state = new OperatorListState<T>(mode);
    const pendingMap = mode === 'list' ? this.pendingList : this.pendingUnion;
    const pending = pendingMap.get(descriptor.name);
    if (pending !== undefined) {
      pendingMap.delete(descriptor.name);
      state.update(pending.map((bytes) => descriptor.serializer.deserialize(bytes)));
    }
    this.registered.set(descriptor.name, { mode, state, descriptor });
    return state;
  }

  private lookup(name: string, mode: Registered['mode']): Registered | undefined {
    const existing = this.registered.get(name);
    if (existing !== undefined && existing.mode !== mode) {
      throw new Error(
        `operator state '${name}' is registered as ${existing.mode} state, requested as ${mode}`,
      );
    }
    return existing;
  }

  /** A name restored under one mode cannot be opened under another (Flink refuses it too). */
  private checkNotPendingAs(name: string, mode: Registered['mode']): void {
    const modes: [Registered['mode'], Map<string, unknown>][] = [
      ['list', this.pendingList],
      ['union', this.pendingUnion],
      ['broadcast', this.pendingBroadcast],
    ];
    for (const [other, pending] of modes) {
      if (other !== mode && pending.has(name)) {
        throw new Error(`restored operator state '${name}' is ${other} state, requested as ${mode}`);
      }
    }
  }

  snapshot(): OperatorStateSnapshot {
    const list: Record<string, Uint8Array[]> = {};
    const union: Record<string, Uint8Array[]> = {};
    const broadcast: Record<string, [unknown, Uint8Array][]> = {};
    for (const [name, reg] of this.registered) {
      const serializer = reg.descriptor.serializer;
      if (reg.mode === 'broadcast') {
        const encoded = reg.encoded;
        broadcast[name] = reg.state.entries().map(([key, value]) => {
          if (encoded === undefined || typeof value !== 'object' || value === null)
            return [key, serializer.serialize(value)];
          let bytes = encoded.get(value);
          if (bytes === undefined) {
            bytes = serializer.serialize(value);
            encoded.set(value, bytes);
          }
          return [key, bytes];
        });
      } else {
        (reg.mode === 'list' ? list : union)[name] = reg.state.view().map((v) => serializer.serialize(v));
      }
    }
    for (const [name, bytes] of this.pendingList) list[name] = bytes.slice();
    for (const [name, bytes] of this.pendingUnion) union[name] = bytes.slice();
    for (const [name, entries] of this.pendingBroadcast) broadcast[name] = entries.map(([k, v]) => [k, v]);
    return { list, union, broadcast };
  }

  restore(snapshots: readonly OperatorStateSnapshot[], subtaskIndex: number, parallelism: number): void {
    if (!(parallelism > 0) || subtaskIndex < 0 || subtaskIndex >= parallelism) {
      throw new Error(`invalid subtask ${subtaskIndex} of parallelism ${parallelism}`);
    }
    if (snapshots.length === 0) return;
    const concat = (pick: (s: OperatorStateSnapshot) => Readonly<Record<string, readonly Uint8Array[]>>) => {
      const out = new Map<string, Uint8Array[]>();
      for (const snapshot of snapshots) {
        for (const [name, elements] of Object.entries(pick(snapshot))) {
          const all = out.get(name);
          if (all === undefined) out.set(name, [...elements]);
          else all.push(...elements);
        }
      }
      return out;
    };
    for (const [name, all] of concat((s) => s.list)) {
      this.restorePending(
        name,
        'list',
        all.filter((_, j) => j % parallelism === subtaskIndex),
      );
    }
    for (const [name, all] of concat((s) => s.union)) this.restorePending(name, 'union', all);
    const names = new Set(snapshots.flatMap((s) => Object.keys(s.broadcast)));
    for (const name of names) {
      // Every former instance holds the same copy; prefer ours, fall back to any that has it.
      const preferred = snapshots[subtaskIndex % snapshots.length]!.broadcast[name];
      const copy = preferred ?? snapshots.find((s) => s.broadcast[name] !== undefined)!.broadcast[name]!;
      this.restorePending(name, 'broadcast', copy);
    }
  }

  private restorePending(name: string, mode: Registered['mode'], data: readonly unknown[]): void {
    const reg = this.registered.get(name);
    if (reg !== undefined) {
      // Registered before restore: load directly.
      if (reg.mode !== mode)
        throw new Error(`restored operator state '${name}' is ${mode} state, registered as ${reg.mode}`);
      const serializer = reg.descriptor.serializer;
      if (reg.mode === 'broadcast') {
        for (const [key, bytes] of data as [unknown, Uint8Array][])
          reg.state.put(key, serializer.deserialize(bytes));
      } else {
        reg.state.addAll((data as Uint8Array[]).map((bytes) => serializer.deserialize(bytes)));
      }
      return;
    }
    this.checkNotPendingAs(name, mode);
    if (mode === 'list') this.pendingList.set(name, [...(data as Uint8Array[])]);
    else if (mode === 'union') this.pendingUnion.set(name, [...(data as Uint8Array[])]);
    else this.pendingBroadcast.set(name, [...(data as [unknown, Uint8Array][])]);
  }

  dispose(): void {
    this.registered.clear();
    this.pendingList = new Map();
    this.pendingUnion = new Map();
    this.pendingBroadcast = new Map();
  }
}
