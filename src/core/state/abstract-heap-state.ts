import type { KeyContext } from './key-context.js';
import type { NormalizedKey } from './key-groups.js';
import { type Namespace, VOID_NAMESPACE } from './keyed-state-backend.js';
import { NormalizedMap } from './normalized-map.js';
import type { StateDescriptor, StateKind } from './state-descriptor.js';
import type { TtlPolicy } from './ttl-policy.js';

/**
 * One (namespace, key) entry in a snapshot: the key as the operator set it, the payload in the
 * kind's own format, built from bytes of the descriptor's serializer and, with TTL, timestamps.
 *
 * @internal
 */
export type RawEntry = readonly [namespace: Namespace, key: unknown, payload: unknown];

/** Receives the live entries of a state while a snapshot is taken. */
export type EntrySink = (namespace: Namespace, nk: NormalizedKey, key: unknown, payload: unknown) => void;

/** Receives the (namespace, key) pairs an incremental snapshot records as removed. */
export type RemovalSink = (namespace: Namespace, nk: NormalizedKey, key: unknown) => void;

/**
 * The (namespace, key) pairs a state handle touched: namespace -> normalized key -> original key.
 *
 * @internal
 */
export type ChangeSet = Map<Namespace, Map<NormalizedKey, unknown>>;

/**
 * Storage and bookkeeping shared by the heap state handles: a table `namespace -> key -> entry`,
 * the handle's current namespace, TTL incremental cleanup, and snapshot / restore of entries.
 *
 * `E` is what one (namespace, key) stores: the value itself, or for TTL states a wrapper with
 * timestamps. Subclasses never let an empty entry linger: when an entry disappears the key's slot
 * is deleted, and an emptied namespace map is deleted too, so expired or cleared keys cost nothing.
 *
 * @internal
 */
export abstract class AbstractHeapState<E> {
  /** namespace -> normalized key -> entry. */
  readonly table = new Map<Namespace, NormalizedMap<unknown, E>>();
  readonly kind: StateKind;
  protected namespace: Namespace = VOID_NAMESPACE;
  /** `table.get(namespace)`, cached because consecutive records nearly always share a namespace. */
  private currentMap: NormalizedMap<unknown, E> | undefined;
  /** Entries checked per access by incremental TTL cleanup; 0 keeps the hot path to one compare. */
  private readonly cleanupSize: number;
  // Incremental cleanup cursor; Map iterators stay valid while entries are added or deleted.
  private cursorNamespaces: Iterator<[Namespace, NormalizedMap<unknown, E>]> | undefined;
  private cursorKeys: Iterator<[NormalizedKey, E]> | undefined;
  private cursorNamespace: Namespace = VOID_NAMESPACE;
  private cursorMap: NormalizedMap<unknown, E> | undefined;
  /**
   * Keys touched since the backend last took them, for incremental snapshots (undefined: not
   * tracked). Every access counts, reads included: the heap hands out stored objects, which callers
   * may change in place.
   */
  private changes: ChangeSet | undefined;
  /** Set while a read-only walk visits the keys: reads do not count as touching them. */
  quietReads = false;
  /** The key last noted in `changes`, and its namespace (repeated accesses skip the maps). */
  private lastNotedKey: NormalizedKey | undefined;
  private lastNotedNamespace: Namespace | undefined;

  constructor(
    protected readonly keyContext: KeyContext,
    readonly descriptor: StateDescriptor<any, any>,
    readonly ttl: TtlPolicy | undefined,
  ) {
    this.kind = descriptor.kind;
    this.cleanupSize = ttl === undefined ? 0 : ttl.cleanupSize;
  }

  setCurrentNamespace(namespace: Namespace): void {
    if (namespace !== this.namespace) {
      this.namespace = namespace;
      this.currentMap = undefined;
    }
  }

  getCurrentNamespace(): Namespace {
    return this.namespace;
  }

  /** Removes the current key's entry in the current namespace. */
  clear(): void {
    this.accessed();
    this.removeEntry();
  }

  // ---- per-kind format hooks ----

  /** Snapshot payload of an entry (values through {@link encodeValue}). */
  protected abstract encode(entry: E): unknown;

  /**
   * Inverse of {@link encode} (values through {@link decodeValue}); entries of a snapshot taken
   * without TTL get `now` as last access.
   */
  protected abstract decode(payload: unknown, now: number, raw: boolean): E | undefined;

  /**
   * Whether snapshots keep this state's values inside the key group's payload, serialized with it
   * (see `TypeSerializer.structuredCloneable` and `toCloneable`), rather than as bytes per value.
   */
  get rawSnapshotValues(): boolean {
    const s = this.descriptor.serializer;
    return s.structuredCloneable === true || s.toCloneable !== undefined;
  }

  /** Whether snapshots keep the values themselves (raw, with no plain form to compute). */
  protected get identitySnapshotValues(): boolean {
    const s = this.descriptor.serializer;
    return s.toCloneable === undefined && s.structuredCloneable === true;
  }

  /** A value as stored in a snapshot payload. */
  protected encodeValue(value: unknown): unknown {
    const s = this.descriptor.serializer;
    if (s.toCloneable !== undefined) return s.toCloneable(value);
    return s.structuredCloneable === true ? value : s.serialize(value);
  }

  /** Inverse of {@link encodeValue}; `raw` says how the snapshot stored it. */
  protected decodeValue(stored: unknown, raw: boolean): unknown {
    const s = this.descriptor.serializer;
    if (!raw) return s.deserialize(stored as Uint8Array);
    return s.fromCloneable !== undefined ? s.fromCloneable(stored) : stored;
  }

  /**
   * The entry without its expired parts: the same object when nothing expired, a new one when a
   * part expired, `undefined` when all of it did. Must not modify `entry`. Only called with TTL.
   */
  protected abstract purgeExpired(entry: E, now: number): E | undefined;

  // ---- access to the current key's entry ----

  /** To be called first by every public method: runs incremental TTL cleanup when configured. */
  protected accessed(): void {
    if (this.cleanupSize !== 0) this.runIncrementalCleanup(this.cleanupSize);
    if (this.changes !== undefined && !this.quietReads)
      this.noteChange(this.namespace, this.keyContext.currentNormKey);
  }

  private noteChange(
    namespace: Namespace,
    nk: NormalizedKey,
    key: unknown = this.keyContext.currentKey,
  ): void {
    // A record usually reads and then writes its key: the second access needs no map lookups.
    if (nk === this.lastNotedKey && namespace === this.lastNotedNamespace) return;
    this.lastNotedKey = nk;
    this.lastNotedNamespace = namespace;
    const changes = this.changes!;
    let keys = changes.get(namespace);
    if (keys === undefined) {
      keys = new Map();
      changes.set(namespace, keys);
    }
    keys.set(nk, key);
  }

  /** Starts recording touched keys (see {@link takeChanges}). */
  trackChanges(): void {
    if (this.changes !== undefined) return;
    this.changes = new Map();
    this.lastNotedKey = undefined;
    this.lastNotedNamespace = undefined;
  }

  /** The keys touched since the last call (or since {@link trackChanges}); starts a new set. */
  takeChanges(): ChangeSet {
    this.lastNotedKey = undefined;
    this.lastNotedNamespace = undefined;
    const taken = this.changes ?? new Map();
    if (this.changes !== undefined) this.changes = new Map();
    return taken;
  }

  /**
   * For each key of `changed`: its entry as {@link snapshotEntries} would write it, or its removal
   * when it has none (or only expired parts).
   */
  snapshotChanges(changed: ChangeSet, sink: EntrySink, removed: RemovalSink): void {
    const ttl = this.ttl;
    const now = ttl === undefined ? 0 : ttl.now();
    for (const [namespace, keys] of changed) {
      const map = this.table.get(namespace);
      for (const [nk, key] of keys) {
        let live = map?.entries.get(nk);
        if (live !== undefined && ttl !== undefined) live = this.purgeExpired(live, now);
        if (live === undefined) removed(namespace, nk, key);
        else sink(namespace, nk, key, this.encode(live));
      }
    }
  }

  /** Removes restored entries an incremental snapshot recorded as removed. */
  restoreRemovals(removals: readonly (readonly [Namespace, unknown])[]): void {
    for (const [namespace, key] of removals) {
      const map = this.table.get(namespace);
      if (map?.delete(key) && map.size === 0) this.table.delete(namespace);
    }
    this.currentMap = undefined;
  }

  protected getEntry(): E | undefined {
    let map = this.currentMap;
    if (map === undefined) {
      map = this.table.get(this.namespace);
      if (map === undefined) return undefined;
      this.currentMap = map;
    }
    return map.entries.get(this.keyContext.currentNormKey);
  }

  protected setEntry(entry: E): void {
    let map = this.currentMap;
    if (map === undefined) {
      map = this.table.get(this.namespace);
      if (map === undefined) {
        map = new NormalizedMap();
        this.table.set(this.namespace, map);
      }
      this.currentMap = map;
    }
    const keys = this.keyContext;
    if (keys.currentKeyComposite) map.setNormalized(keys.currentNormKey, keys.currentKey, true, entry);
    else map.entries.set(keys.currentNormKey, entry);
  }

  protected removeEntry(): void {
    const map = this.currentMap ?? this.table.get(this.namespace);
    if (map !== undefined) this.removeFrom(this.namespace, map, this.keyContext.currentNormKey);
  }

  protected getEntryIn(namespace: Namespace): E | undefined {
    if (this.changes !== undefined && !this.quietReads)
      this.noteChange(namespace, this.keyContext.currentNormKey);
    return this.table.get(namespace)?.entries.get(this.keyContext.currentNormKey);
  }

  protected setEntryIn(namespace: Namespace, entry: E): void {
    if (this.changes !== undefined) this.noteChange(namespace, this.keyContext.currentNormKey);
    const saved = this.namespace;
    this.setCurrentNamespace(namespace);
    this.setEntry(entry);
    this.setCurrentNamespace(saved);
  }

  protected removeEntryIn(namespace: Namespace): void {
    if (this.changes !== undefined) this.noteChange(namespace, this.keyContext.currentNormKey);
    const map = this.table.get(namespace);
    if (map !== undefined) this.removeFrom(namespace, map, this.keyContext.currentNormKey);
  }

  /** Deletes one key of a namespace map and the map itself once empty. */
  private removeFrom(namespace: Namespace, map: NormalizedMap<unknown, E>, nk: NormalizedKey): void {
    // TTL cleanup removes keys other than the current one.
    if (this.changes !== undefined && map.entries.has(nk))
      this.noteChange(namespace, nk, map.originalKey(nk));
    if (!map.deleteNormalized(nk) || map.size !== 0) return;
    if (this.table.get(namespace) === map) this.table.delete(namespace);
    if (this.currentMap === map) this.currentMap = undefined;
  }

  // ---- TTL cleanup ----

  /**
   * Checks up to `budget` entries after the persistent cursor and removes what expired; the cursor
   * wraps around at the end of the table, at most once per call.
   */
  runIncrementalCleanup(budget: number): void {
    const ttl = this.ttl;
    if (ttl === undefined) return;
    const now = ttl.now();
    let wrapped = false;
    while (budget > 0) {
      const keysIt = this.cursorKeys;
      if (keysIt === undefined) {
        if (this.cursorNamespaces === undefined) this.cursorNamespaces = this.table.entries();
        const next = this.cursorNamespaces.next();
        if (next.done) {
          this.cursorNamespaces = undefined;
          if (wrapped) return;
          wrapped = true;
          continue;
        }
        this.cursorNamespace = next.value[0];
        this.cursorMap = next.value[1];
        this.cursorKeys = next.value[1].entries.entries();
        continue;
      }
      const next = keysIt.next();
      if (next.done) {
        this.cursorKeys = undefined;
        this.cursorMap = undefined;
        continue;
      }
      budget--;
      const [nk, entry] = next.value;
      const live = this.purgeExpired(entry, now);
      const map = this.cursorMap!;
      if (live === undefined) this.removeFrom(this.cursorNamespace, map, nk);
      else if (live !== entry) map.entries.set(nk, live);
    }
  }

  // ---- snapshot / restore / introspection ----

  /**
   * Emits every live entry; expired ones are left out and, with full-snapshot cleanup, removed.
   */
  snapshotEntries(sink: EntrySink): void {
    const ttl = this.ttl;
    const now = ttl === undefined ? 0 : ttl.now();
    const dropExpired = ttl?.cleanupFullSnapshot === true;
    for (const [namespace, map] of this.table) {
      for (const [nk, entry] of map.entries) {
        let live: E | undefined = entry;
        if (ttl !== undefined) {
          live = this.purgeExpired(entry, now);
          if (dropExpired && live !== entry) {
            if (live === undefined) this.removeFrom(namespace, map, nk);
            else map.entries.set(nk, live);
          }
          if (live === undefined) continue;
        }
        sink(namespace, nk, map.originalKey(nk), this.encode(live));
      }
    }
  }

  /** Loads snapshot entries (already expired ones are skipped). */
  restoreEntries(entries: readonly RawEntry[], raw: boolean): void {
    const ttl = this.ttl;
    const now = ttl === undefined ? 0 : ttl.now();
    for (const [namespace, key, payload] of entries) {
      let entry = this.decode(payload, now, raw);
      if (entry !== undefined && ttl !== undefined) entry = this.purgeExpired(entry, now);
      if (entry === undefined) {
        // Expired by now: an entry restored before it (a chain's older snapshot) goes too.
        this.restoreRemovals([[namespace, key]]);
        continue;
      }
      let map = this.table.get(namespace);
      if (map === undefined) {
        map = new NormalizedMap();
        this.table.set(namespace, map);
      }
      map.set(key, entry);
    }
    this.currentMap = undefined;
  }

  /** Number of (namespace, key) entries held, expired but not yet cleaned ones included. */
  numEntries(): number {
    let n = 0;
    for (const map of this.table.values()) n += map.size;
    return n;
  }

  /** Adds the normalized key of every entry to `out`. */
  collectKeys(out: Set<NormalizedKey>): void {
    for (const map of this.table.values()) for (const nk of map.entries.keys()) out.add(nk);
  }

  /** Original keys with an entry in `namespace`, copied so the caller may modify the state. */
  keysIn(namespace: Namespace): unknown[] {
    const map = this.table.get(namespace);
    return map === undefined ? [] : map.keysArray();
  }

  dispose(): void {
    this.table.clear();
    this.changes = undefined;
    this.lastNotedKey = undefined;
    this.lastNotedNamespace = undefined;
    this.currentMap = undefined;
    this.cursorNamespaces = undefined;
    this.cursorKeys = undefined;
    this.cursorMap = undefined;
  }
}
