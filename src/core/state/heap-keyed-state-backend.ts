import type { AbstractHeapState, ChangeSet, RawEntry } from './abstract-heap-state.js';
import { createHeapState } from './create-heap-state.js';
import type { KeyContext } from './key-context.js';
import { assignToKeyGroup, type KeyGroupRange, type NormalizedKey, normalizeKey } from './key-groups.js';
import { decodeKeyGroup, encodeKeyGroup, type StateGroup } from './keyed-snapshot-format.js';
import type {
  InternalKvState,
  KeyedStateBackend,
  KeyGroupedSnapshot,
  Namespace,
} from './keyed-state-backend.js';
import type { SnapshotPlanner } from './snapshot-plan.js';
import type { State } from './state.js';
import type { StateDescriptor, StateKind } from './state-descriptor.js';
import type { TtlClock } from './ttl-policy.js';

/** Options of {@link HeapKeyedStateBackend}. */
export interface HeapKeyedStateBackendOptions {
  /** Number of key groups; must match the snapshots restored. */
  readonly maxParallelism: number;
  /** Key groups owned by this instance (restore keeps only these). */
  readonly keyGroupRange: KeyGroupRange;
  /** Processing time for TTL. */
  readonly clock: TtlClock;
  /** Incremental snapshots: how each checkpoint is to be snapshotted (absent: always full). */
  readonly planner?: SnapshotPlanner;
}

/** One state's part of a key group in a delta snapshot. */
interface StateGroupSlot {
  readonly kind: StateKind;
  readonly raw: boolean;
  readonly entries: RawEntry[];
  readonly removed: [Namespace, unknown][];
}

/** A snapshot this backend took for a checkpoint, with the keys touched before it, by state name. */
interface TakenSnapshot {
  readonly checkpointId: number;
  readonly changes: Map<string, ChangeSet>;
}

/** Restored entries of one key group, and how their values are stored (see `StateGroup`). */
interface PendingChunk {
  readonly raw: boolean;
  readonly entries: RawEntry[];
  /** Removals of an incremental snapshot, applied after `entries`. */
  readonly removed?: readonly (readonly [Namespace, unknown])[];
}

/** Restored entries of a state whose descriptor has not been registered yet, by key group. */
interface PendingState {
  readonly kind: StateKind;
  readonly groups: Map<number, PendingChunk[]>;
}

/**
 * Keyed state on the JS heap (Flink's `HeapKeyedStateBackend`).
 *
 * Each state stores `namespace -> normalized key -> value`; `setCurrentKey` only records the key
 * and its normalized form, so a keyed counter costs two `Map` operations per record. Key groups
 * are computed when a snapshot is taken, which writes one blob per non-empty key group; restore
 * keeps the groups of this instance's range and decodes each state lazily, when its descriptor
 * (and so its serializer) is registered.
 *
 * With a `planner` (incremental checkpoints), every state records the keys it was asked about
 * since the last checkpoint snapshot, and a checkpoint whose plan allows it writes only those keys'
 * entries and removals, as a delta to the plan's base (a completed checkpoint this backend
 * snapshotted too): the cost of a checkpoint follows the keys touched, not the size of the state.
 * The keys of snapshots not known to be completed stay recorded, so a delta is right even after
 * aborted checkpoints.
 *
 * @example
 * ```ts
 * const backend = new HeapKeyedStateBackend<string>({
 *   maxParallelism: 128,
 *   keyGroupRange: KeyGroupRange.forOperatorIndex(128, 1, 0),
 *   clock: { now: () => Date.now() },
 * });
 * const count = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('count', undefined, 0));
 * backend.setCurrentKey('user-1');
 * count.update(count.value()! + 1);
 * ```
 */
export class HeapKeyedStateBackend<K> implements KeyedStateBackend<K>, KeyContext {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** @internal Read by the state handles on each access. */
  currentKey: unknown = undefined;
  /** @internal */
  currentNormKey: NormalizedKey = '';
  /** @internal */
  currentKeyComposite = false;
  /** Key group of the current key, -1 until asked for. */
  private currentKeyGroup = -1;
  private readonly clock: TtlClock;
  private readonly states = new Map<string, AbstractHeapState<any>>();
  private readonly pending = new Map<string, PendingState>();
  /** TTL states that clean up a few entries on every record. */
  private perRecordCleanup: AbstractHeapState<any>[] = [];
  private readonly planner: SnapshotPlanner | undefined;
  /** Checkpoint snapshots taken and not yet subsumed by a completed base, oldest first. */
  private taken: TakenSnapshot[] = [];

  constructor(options: HeapKeyedStateBackendOptions) {
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.clock = options.clock;
    this.planner = options.planner;
  }

  setCurrentKey(key: K): void {
    this.currentKey = key;
    const type = typeof key;
    // normalizeKey inlined for primitives: this runs once per record.
    if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') {
      this.currentNormKey = key as NormalizedKey;
      this.currentKeyComposite = false;
    } else {
      this.currentNormKey = normalizeKey(key);
      this.currentKeyComposite = true;
    }
    this.currentKeyGroup = -1;
  }

  getCurrentKey(): K {
    return this.currentKey as K;
  }

  getCurrentKeyGroup(): number {
    if (this.currentKeyGroup < 0)
      this.currentKeyGroup = assignToKeyGroup(this.currentKey, this.maxParallelism);
    return this.currentKeyGroup;
  }

  getOrCreateKeyedState<S extends State>(descriptor: StateDescriptor<S, any>): InternalKvState<S> {
    let state = this.states.get(descriptor.name);
    if (state === undefined) {
      state = this.register(descriptor);
    } else if (state.kind !== descriptor.kind) {
      throw new Error(`state '${descriptor.name}' is ${state.kind} state, requested as ${descriptor.kind}`);
    }
    return state as unknown as InternalKvState<S>;
  }

  private register(descriptor: StateDescriptor<any, any>): AbstractHeapState<any> {
    const pending = this.pending.get(descriptor.name);
    if (pending !== undefined && pending.kind !== descriptor.kind) {
      throw new Error(
        `restored state '${descriptor.name}' is ${pending.kind} state, requested as ${descriptor.kind}`,
      );
    }
    const state = createHeapState(this, descriptor, this.clock);
    if (this.planner !== undefined) state.trackChanges();
    this.states.set(descriptor.name, state);
    if (pending !== undefined) {
      this.pending.delete(descriptor.name);
      for (const chunks of pending.groups.values()) {
        for (const chunk of chunks) {
          state.restoreEntries(chunk.entries, chunk.raw);
          if (chunk.removed !== undefined) state.restoreRemovals(chunk.removed);
        }
      }
      // What was restored is in the base already: not a change.
      if (this.planner !== undefined) state.takeChanges();
    }
    if (state.ttl?.cleanupEveryRecord) this.perRecordCleanup = [...this.perRecordCleanup, state];
    return state;
  }

  getKeys(stateName: string, namespace: Namespace): Iterable<K> {
    const state = this.states.get(stateName);
    if (state !== undefined) return state.keysIn(namespace) as K[];
    const out: K[] = [];
    const pending = this.pending.get(stateName);
    if (pending !== undefined) {
      for (const chunks of pending.groups.values()) {
        for (const chunk of chunks)
          for (const [ns, key] of chunk.entries) if (ns === namespace) out.push(key as K);
      }
    }
    return out;
  }

  applyToAllKeys<S extends State>(
    namespace: Namespace,
    descriptor: StateDescriptor<S, any>,
    fn: (key: K, state: S) => void,
    readOnly = false,
  ): void {
    const state = this.getOrCreateKeyedState(descriptor);
    const heap = this.states.get(descriptor.name)!;
    // Collected first: fn may add or remove keys.
    const keys = Array.from(this.getKeys(descriptor.name, namespace));
    const { currentKey, currentNormKey, currentKeyComposite, currentKeyGroup } = this;
    const savedNamespace = state.getCurrentNamespace();
    try {
      state.setCurrentNamespace(namespace);
      if (readOnly) heap.quietReads = true;
      for (const key of keys) {
        this.setCurrentKey(key);
        fn(key, state);
      }
    } finally {
      heap.quietReads = false;
      state.setCurrentNamespace(savedNamespace);
      this.currentKey = currentKey;
      this.currentNormKey = currentNormKey;
      this.currentKeyComposite = currentKeyComposite;
      this.currentKeyGroup = currentKeyGroup;
    }
  }

  onRecordProcessed(): void {
    const states = this.perRecordCleanup;
    for (let i = 0; i < states.length; i++) {
      const state = states[i]!;
      state.runIncrementalCleanup(state.ttl!.cleanupSize);
    }
  }

  numEntries(): number {
    let n = 0;
    for (const state of this.states.values()) n += state.numEntries();
    for (const pending of this.pending.values())
      for (const chunks of pending.groups.values()) for (const chunk of chunks) n += chunk.entries.length;
    return n;
  }

  numKeys(): number {
    const keys = new Set<NormalizedKey>();
    for (const state of this.states.values()) state.collectKeys(keys);
    for (const pending of this.pending.values()) {
      for (const chunks of pending.groups.values())
        for (const chunk of chunks) for (const entry of chunk.entries) keys.add(normalizeKey(entry[1]));
    }
    return keys.size;
  }

  snapshot(checkpointId?: number): KeyGroupedSnapshot {
    const plan = checkpointId === undefined ? undefined : this.planner?.planOf(checkpointId);
    if (plan === undefined) return this.fullSnapshot();
    const changes = new Map<string, ChangeSet>();
    for (const [name, state] of this.states) changes.set(name, state.takeChanges());
    const base = plan.base;
    const snapshot =
      !plan.full && base !== undefined && this.taken.some((t) => t.checkpointId === base)
        ? this.deltaSnapshot(base, changes)
        : this.fullSnapshot();
    // Snapshots older than the completed base are never needed again.
    if (base !== undefined) this.taken = this.taken.filter((t) => t.checkpointId >= base);
    this.taken.push({ checkpointId: checkpointId!, changes });
    return snapshot;
  }

  /** Entries of the keys touched since the snapshot for checkpoint `base`, and removals. */
  private deltaSnapshot(base: number, latest: Map<string, ChangeSet>): KeyGroupedSnapshot {
    const slots = new SlotCollector(this.maxParallelism);
    for (const [name, state] of this.states) {
      // Keys touched since the base: those of every snapshot taken after it, and the latest.
      const changed: ChangeSet = new Map();
      const add = (set: ChangeSet | undefined) => {
        if (set === undefined) return;
        for (const [namespace, keys] of set) {
          const into = changed.get(namespace);
          if (into === undefined) changed.set(namespace, new Map(keys));
          else for (const [nk, key] of keys) into.set(nk, key);
        }
      };
      for (const t of this.taken) if (t.checkpointId > base) add(t.changes.get(name));
      add(latest.get(name));
      state.snapshotChanges(
        changed,
        (namespace, nk, key, payload) => {
          slots.slotOf(nk, key, name, state).entries.push([namespace, key, payload]);
        },
        (namespace, nk, key) => {
          slots.slotOf(nk, key, name, state).removed.push([namespace, key]);
        },
      );
    }
    return { maxParallelism: this.maxParallelism, groups: slots.encode(), base };
  }

  private fullSnapshot(): KeyGroupedSnapshot {
    const slots = new SlotCollector(this.maxParallelism);
    for (const [name, state] of this.states) {
      state.snapshotEntries((namespace, nk, key, payload) => {
        slots.slotOf(nk, key, name, state).entries.push([namespace, key, payload]);
      });
    }
    // Restored state nobody asked for yet must survive into the next checkpoint, as it came.
    const extra = new Map<number, StateGroup[]>();
    for (const [name, pending] of this.pending) {
      for (const [keyGroup, chunks] of pending.groups) {
        let list = extra.get(keyGroup);
        if (list === undefined) {
          list = [];
          extra.set(keyGroup, list);
        }
        for (const chunk of chunks) list.push([name, pending.kind, chunk.entries, chunk.raw, chunk.removed]);
      }
    }
    return { maxParallelism: this.maxParallelism, groups: slots.encode(extra) };
  }

  restore(snapshots: readonly KeyGroupedSnapshot[]): void {
    for (const snapshot of snapshots) {
      if (snapshot.maxParallelism !== this.maxParallelism) {
        throw new Error(
          `cannot restore keyed state with maxParallelism ${snapshot.maxParallelism} into ${this.maxParallelism}`,
        );
      }
      if (snapshot.base !== undefined) {
        throw new Error(
          `keyed state snapshot is a delta to checkpoint ${snapshot.base}: restore it through the storage that holds its chain`,
        );
      }
      for (const [keyGroup, bytes] of snapshot.groups) {
        if (!this.keyGroupRange.contains(keyGroup)) continue;
        for (const [name, kind, entries, raw, removed] of decodeKeyGroup(bytes))
          this.restoreState(keyGroup, name, kind, entries, raw === true, removed);
      }
    }
  }

  private restoreState(
    keyGroup: number,
    name: string,
    kind: StateKind,
    entries: readonly RawEntry[],
    raw: boolean,
    removed: readonly (readonly [Namespace, unknown])[] | undefined,
  ): void {
    const state = this.states.get(name);
    if (state !== undefined) {
      if (state.kind !== kind)
        throw new Error(`restored state '${name}' is ${kind} state, registered as ${state.kind}`);
      state.restoreEntries(entries, raw);
      if (removed !== undefined) state.restoreRemovals(removed);
      if (this.planner !== undefined) state.takeChanges();
      return;
    }
    let pending = this.pending.get(name);
    if (pending === undefined) {
      pending = { kind, groups: new Map() };
      this.pending.set(name, pending);
    } else if (pending.kind !== kind) {
      throw new Error(`restored state '${name}' is both ${pending.kind} and ${kind} state`);
    }
    const chunk: PendingChunk =
      removed === undefined ? { raw, entries: [...entries] } : { raw, entries: [...entries], removed };
    const chunks = pending.groups.get(keyGroup);
    if (chunks === undefined) pending.groups.set(keyGroup, [chunk]);
    else chunks.push(chunk);
  }

  dispose(): void {
    for (const state of this.states.values()) state.dispose();
    this.states.clear();
    this.pending.clear();
    this.perRecordCleanup = [];
    this.taken = [];
  }
}

/** Snapshot entries by key group and state, each key's group computed once (a key has entries in several states). */
class SlotCollector {
  private readonly groups = new Map<number, Map<string, StateGroupSlot>>();
  private readonly keyGroupOf = new Map<NormalizedKey, number>();

  constructor(private readonly maxParallelism: number) {}

  slotOf(nk: NormalizedKey, key: unknown, name: string, state: AbstractHeapState<any>): StateGroupSlot {
    let keyGroup = this.keyGroupOf.get(nk);
    if (keyGroup === undefined) {
      keyGroup = assignToKeyGroup(key, this.maxParallelism);
      this.keyGroupOf.set(nk, keyGroup);
    }
    let byState = this.groups.get(keyGroup);
    if (byState === undefined) {
      byState = new Map();
      this.groups.set(keyGroup, byState);
    }
    let slot = byState.get(name);
    if (slot === undefined) {
      slot = { kind: state.kind, raw: state.rawSnapshotValues, entries: [], removed: [] };
      byState.set(name, slot);
    }
    return slot;
  }

  /** One blob per key group, by ascending key group; `extra` state groups go after the slots'. */
  encode(extra?: ReadonlyMap<number, readonly StateGroup[]>): [number, Uint8Array][] {
    const lists = new Map<number, StateGroup[]>();
    for (const [keyGroup, byState] of this.groups) {
      const list: StateGroup[] = [];
      for (const [name, slot] of byState) {
        list.push(
          slot.removed.length > 0
            ? [name, slot.kind, slot.entries, slot.raw, slot.removed]
            : [name, slot.kind, slot.entries, slot.raw],
        );
      }
      lists.set(keyGroup, list);
    }
    for (const [keyGroup, more] of extra ?? []) {
      const list = lists.get(keyGroup);
      if (list === undefined) lists.set(keyGroup, [...more]);
      else list.push(...more);
    }
    const out: [number, Uint8Array][] = [];
    for (const [keyGroup, list] of lists) out.push([keyGroup, encodeKeyGroup(list)]);
    return out.sort((a, b) => a[0] - b[0]);
  }
}
