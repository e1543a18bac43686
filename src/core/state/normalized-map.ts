import { type NormalizedKey, normalizeKey } from './key-groups.js';

/**
 * A `Map` that accepts any key, including composite ones (arrays, plain objects): identity goes
 * through {@link normalizeKey}, and the original key of each non-primitive entry is remembered so
 * that iteration hands back what the caller put in. Primitive keys cost nothing extra, which keeps
 * the common case (string or number keys) as fast as a plain `Map`.
 *
 * @internal Used by the heap state backend for its key maps, map state and broadcast state.
 */
export class NormalizedMap<K, V> {
  /** Entries by normalized key. Hot paths use this directly with an already normalized key. */
  readonly entries = new Map<NormalizedKey, V>();
  /** Original keys of entries whose key is not a primitive; absent until the first such key. */
  private originals: Map<NormalizedKey, K> | undefined;

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(normalizeKey(key));
  }

  has(key: K): boolean {
    return this.entries.has(normalizeKey(key));
  }

  set(key: K, value: V): void {
    const nk = normalizeKey(key);
    // NaN also lands in `originals` (NaN !== NaN); harmless, Map finds NaN by SameValueZero.
    this.setNormalized(nk, key, nk !== key, value);
  }

  /** `set` for callers that normalized the key already; `composite` says the key is not primitive. */
  setNormalized(nk: NormalizedKey, key: K, composite: boolean, value: V): void {
    if (composite) {
      if (this.originals === undefined) this.originals = new Map();
      this.originals.set(nk, key);
    }
    this.entries.set(nk, value);
  }

  delete(key: K): boolean {
    return this.deleteNormalized(normalizeKey(key));
  }

  deleteNormalized(nk: NormalizedKey): boolean {
    if (!this.entries.delete(nk)) return false;
    if (this.originals !== undefined) {
      this.originals.delete(nk);
      if (this.originals.size === 0) this.originals = undefined;
    }
    return true;
  }

  /** The key as the caller passed it for a normalized key of this map. */
  originalKey(nk: NormalizedKey): K {
    const originals = this.originals;
    if (originals !== undefined) {
      const original = originals.get(nk);
      if (original !== undefined || originals.has(nk)) return original as K;
    }
    return nk as K;
  }

  /** Original keys, copied so that callers may modify the map while they iterate. */
  keysArray(): K[] {
    const out: K[] = [];
    for (const nk of this.entries.keys()) out.push(this.originalKey(nk));
    return out;
  }

  /** Entries with original keys, copied for the same reason as {@link keysArray}. */
  entriesArray(): [K, V][] {
    const out: [K, V][] = [];
    for (const [nk, v] of this.entries) out.push([this.originalKey(nk), v]);
    return out;
  }

  /** A shallow copy (values are shared). */
  clone(): NormalizedMap<K, V> {
    const copy = new NormalizedMap<K, V>();
    for (const [nk, v] of this.entries) copy.entries.set(nk, v);
    if (this.originals !== undefined) copy.originals = new Map(this.originals);
    return copy;
  }

  clear(): void {
    this.entries.clear();
    this.originals = undefined;
  }
}
