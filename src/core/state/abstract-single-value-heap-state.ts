import { AbstractHeapState } from './abstract-heap-state.js';
import type { Namespace } from './keyed-state-backend.js';
import type { TtlValue } from './ttl-policy.js';

/**
 * Base of the states that keep one value per (namespace, key): value, reducing and aggregating
 * state. Stores `V` directly without TTL and `TtlValue<V>` with it.
 *
 * @internal
 */
export abstract class AbstractSingleValueHeapState<V> extends AbstractHeapState<V | TtlValue<V>> {
  /** The value a reader sees: under TTL, expired values are removed and only returned if allowed. */
  protected read(): V | undefined {
    const ttl = this.ttl;
    if (ttl === undefined) return this.getEntry() as V | undefined;
    const entry = this.getEntry() as TtlValue<V> | undefined;
    if (entry === undefined) return undefined;
    const now = ttl.now();
    if (ttl.isExpired(entry.t, now)) {
      this.removeEntry();
      return ttl.returnExpired ? entry.v : undefined;
    }
    if (ttl.updateOnRead) entry.t = now;
    return entry.v;
  }

  /** The value an update builds on: expired values count as absent (Flink's TTL reduce/aggregate). */
  protected readForUpdate(): V | undefined {
    const ttl = this.ttl;
    if (ttl === undefined) return this.getEntry() as V | undefined;
    const entry = this.getEntry() as TtlValue<V> | undefined;
    return entry === undefined || ttl.isExpired(entry.t, ttl.now()) ? undefined : entry.v;
  }

  /** Stores a value for the current key; `undefined` removes it. */
  protected store(value: V | undefined): void {
    if (value === undefined) {
      this.removeEntry();
      return;
    }
    const ttl = this.ttl;
    if (ttl === undefined) {
      this.setEntry(value);
      return;
    }
    const entry = this.getEntry() as TtlValue<V> | undefined;
    const now = ttl.now();
    if (entry === undefined) {
      this.setEntry({ v: value, t: now });
    } else {
      // In place: the wrapper is private to this table, so no new allocation per write.
      entry.v = value;
      entry.t = now;
    }
  }

  /**
   * Folds each source namespace into `target` for the current key, in order, and clears them
   * (the body of `mergeNamespaces` for the merging kinds).
   */
  protected mergeNamespacesWith(
    target: Namespace,
    sources: readonly Namespace[],
    merge: (a: V, b: V) => V,
  ): void {
    this.accessed();
    const saved = this.namespace;
    try {
      for (const source of sources) {
        this.setCurrentNamespace(source);
        const value = this.readForUpdate();
        this.removeEntry();
        if (value === undefined) continue;
        this.setCurrentNamespace(target);
        const current = this.readForUpdate();
        this.store(current === undefined ? value : merge(current, value));
      }
    } finally {
      this.setCurrentNamespace(saved);
    }
  }

  protected encode(entry: V | TtlValue<V>): unknown {
    if (this.ttl === undefined) return [this.encodeValue(entry)];
    const wrapped = entry as TtlValue<V>;
    return [this.encodeValue(wrapped.v), wrapped.t];
  }

  protected decode(payload: unknown, now: number, raw: boolean): V | TtlValue<V> | undefined {
    const [stored, lastAccess] = payload as [unknown, number?];
    const value = this.decodeValue(stored, raw) as V;
    if (value === undefined) return undefined;
    return this.ttl === undefined ? value : { v: value, t: lastAccess ?? now };
  }

  protected purgeExpired(entry: V | TtlValue<V>, now: number): V | TtlValue<V> | undefined {
    return this.ttl!.isExpired((entry as TtlValue<V>).t, now) ? undefined : entry;
  }
}
