import { AbstractHeapState } from './abstract-heap-state.js';
import { type NormalizedKey, normalizeKey } from './key-groups.js';
import type { InternalKvState } from './keyed-state-backend.js';
import { NormalizedMap } from './normalized-map.js';
import type { MapState } from './state.js';
import type { TtlValue } from './ttl-policy.js';

type UserMap<UK, UV> = NormalizedMap<UK, UV | TtlValue<UV>>;

/**
 * {@link MapState} on the heap: a map per (namespace, key). User keys go through `normalizeKey`,
 * so composite user keys work too and come back as passed. With TTL every map entry carries its own
 * timestamp (as in Flink). When the last user entry goes, the whole (namespace, key) entry goes.
 *
 * `entries()`, `keys()` and `values()` return copies, safe to iterate while modifying the state.
 *
 * @internal Created by `HeapKeyedStateBackend.getOrCreateKeyedState`.
 */
export class HeapMapState<UK, UV>
  extends AbstractHeapState<UserMap<UK, UV>>
  implements InternalKvState<MapState<UK, UV>>
{
  get(key: UK): UV | undefined {
    this.accessed();
    const map = this.getEntry();
    if (map === undefined) return undefined;
    if (this.ttl === undefined) return map.get(key) as UV | undefined;
    const entry = this.readTtl(map, normalizeKey(key));
    return entry === undefined ? undefined : entry.v;
  }

  put(key: UK, value: UV): void {
    this.accessed();
    let map = this.getEntry();
    if (map === undefined) {
      map = new NormalizedMap();
      this.setEntry(map);
    }
    this.putInto(map, key, value, this.ttl === undefined ? 0 : this.ttl.now());
  }

  putAll(entries: Iterable<[UK, UV]> | Map<UK, UV>): void {
    this.accessed();
    let map = this.getEntry();
    const now = this.ttl === undefined ? 0 : this.ttl.now();
    for (const [key, value] of entries) {
      if (map === undefined) {
        map = new NormalizedMap();
        this.setEntry(map);
      }
      this.putInto(map, key, value, now);
    }
  }

  remove(key: UK): void {
    this.accessed();
    const map = this.getEntry();
    if (map === undefined) return;
    map.delete(key);
    if (map.size === 0) this.removeEntry();
  }

  contains(key: UK): boolean {
    this.accessed();
    const map = this.getEntry();
    if (map === undefined) return false;
    if (this.ttl === undefined) return map.has(key);
    return this.readTtl(map, normalizeKey(key)) !== undefined;
  }

  entries(): [UK, UV][] {
    this.accessed();
    const map = this.getEntry();
    if (map === undefined) return [];
    if (this.ttl === undefined) return map.entriesArray() as [UK, UV][];
    const out: [UK, UV][] = [];
    for (const nk of Array.from(map.entries.keys())) {
      const entry = this.readTtl(map, nk);
      if (entry !== undefined) out.push([map.originalKey(nk), entry.v]);
    }
    return out;
  }

  keys(): UK[] {
    if (this.ttl !== undefined) return this.entries().map((e) => e[0]);
    this.accessed();
    const map = this.getEntry();
    return map === undefined ? [] : map.keysArray();
  }

  values(): UV[] {
    return this.entries().map((e) => e[1]);
  }

  isEmpty(): boolean {
    // O(1) without TTL: a (namespace, key) entry is removed with its last user entry.
    if (this.ttl !== undefined) return this.entries().length === 0;
    this.accessed();
    const map = this.getEntry();
    return map === undefined || map.size === 0;
  }

  private putInto(map: UserMap<UK, UV>, key: UK, value: UV, now: number): void {
    if (this.ttl === undefined) {
      map.set(key, value);
      return;
    }
    const existing = map.get(key) as TtlValue<UV> | undefined;
    if (existing === undefined || this.ttl.isExpired(existing.t, now)) {
      // An expired entry counts as absent: re-inserting puts the key last, exactly as if cleanup
      // had removed it already, so iteration order does not depend on when cleanup ran.
      if (existing !== undefined) map.delete(key);
      map.set(key, { v: value, t: now });
    } else {
      existing.v = value;
      existing.t = now;
    }
  }

  /**
   * One user entry under TTL rules: an expired one is removed (and the key's whole map with its
   * last entry) and only returned when the visibility allows it.
   */
  private readTtl(map: UserMap<UK, UV>, nk: NormalizedKey): TtlValue<UV> | undefined {
    const ttl = this.ttl!;
    const entry = map.entries.get(nk) as TtlValue<UV> | undefined;
    if (entry === undefined) return undefined;
    const now = ttl.now();
    if (ttl.isExpired(entry.t, now)) {
      map.deleteNormalized(nk);
      if (map.size === 0) this.removeEntry();
      return ttl.returnExpired ? entry : undefined;
    }
    if (ttl.updateOnRead) entry.t = now;
    return entry;
  }

  protected encode(entry: UserMap<UK, UV>): unknown {
    const out: unknown[] = [];
    for (const [nk, value] of entry.entries) {
      const key = entry.originalKey(nk);
      if (this.ttl === undefined) out.push([key, this.encodeValue(value)]);
      else out.push([key, this.encodeValue((value as TtlValue<UV>).v), (value as TtlValue<UV>).t]);
    }
    return out;
  }

  protected decode(payload: unknown, now: number, raw: boolean): UserMap<UK, UV> | undefined {
    const rows = payload as [UK, unknown, number?][];
    if (rows.length === 0) return undefined;
    const map: UserMap<UK, UV> = new NormalizedMap();
    for (const [key, stored, lastAccess] of rows) {
      const value = this.decodeValue(stored, raw) as UV;
      map.set(key, this.ttl === undefined ? value : { v: value, t: lastAccess ?? now });
    }
    return map;
  }

  protected purgeExpired(entry: UserMap<UK, UV>, now: number): UserMap<UK, UV> | undefined {
    const ttl = this.ttl!;
    let copy: UserMap<UK, UV> | undefined;
    for (const [nk, value] of entry.entries) {
      if (!ttl.isExpired((value as TtlValue<UV>).t, now)) continue;
      if (copy === undefined) copy = entry.clone();
      copy.deleteNormalized(nk);
    }
    if (copy === undefined) return entry;
    return copy.size === 0 ? undefined : copy;
  }
}
