import { AbstractHeapState } from './abstract-heap-state.js';
import type { InternalMergingState } from './internal-merging-state.js';
import type { InternalKvState, Namespace } from './keyed-state-backend.js';
import type { ListState } from './state.js';
import type { TtlValue } from './ttl-policy.js';

/**
 * {@link ListState} on the heap: an array per (namespace, key). With TTL every element carries its
 * own timestamp (as in Flink), so old elements expire while newer ones of the same key stay.
 *
 * `get()` returns a copy, so callers may add to the state while iterating what they read.
 *
 * @internal Created by `HeapKeyedStateBackend.getOrCreateKeyedState`.
 */
export class HeapListState<T>
  extends AbstractHeapState<T[] | TtlValue<T>[]>
  implements InternalKvState<ListState<T>>, InternalMergingState
{
  get(): T[] {
    this.accessed();
    const ttl = this.ttl;
    if (ttl === undefined) {
      const list = this.getEntry() as T[] | undefined;
      return list === undefined ? [] : list.slice();
    }
    const list = this.getEntry() as TtlValue<T>[] | undefined;
    if (list === undefined) return [];
    const now = ttl.now();
    const live = this.purgeExpired(list, now);
    const visible = ttl.returnExpired ? list : (live ?? []);
    if (live !== list) {
      if (live === undefined) this.removeEntry();
      else this.setEntry(live);
    }
    if (ttl.updateOnRead && live !== undefined) for (const element of live) element.t = now;
    return visible.map((element) => element.v);
  }

  add(value: T): void {
    this.accessed();
    checkElement(value);
    const list = this.getEntry();
    const element = this.wrap(value);
    if (list === undefined) this.setEntry([element] as T[] | TtlValue<T>[]);
    else (list as unknown[]).push(element);
  }

  addAll(values: Iterable<T>): void {
    this.accessed();
    const elements = this.wrapAll(values);
    if (elements.length === 0) return;
    const list = this.getEntry() as unknown[] | undefined;
    if (list === undefined) this.setEntry(elements as T[] | TtlValue<T>[]);
    else for (const element of elements) list.push(element);
  }

  /** Replaces the list; an empty iterable clears it. */
  update(values: Iterable<T>): void {
    this.accessed();
    const elements = this.wrapAll(values);
    if (elements.length === 0) this.removeEntry();
    else this.setEntry(elements as T[] | TtlValue<T>[]);
  }

  /** Appends each source namespace's list to `target`'s for the current key, in order. */
  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void {
    this.accessed();
    let merged = this.getEntryIn(target) as unknown[] | undefined;
    for (const source of sources) {
      if (source === target) continue;
      const list = this.getEntryIn(source) as unknown[] | undefined;
      if (list === undefined) continue;
      this.removeEntryIn(source);
      if (merged === undefined) {
        merged = list;
        this.setEntryIn(target, list as T[] | TtlValue<T>[]);
      } else {
        for (const element of list) merged.push(element);
      }
    }
  }

  private wrap(value: T): T | TtlValue<T> {
    return this.ttl === undefined ? value : { v: value, t: this.ttl.now() };
  }

  private wrapAll(values: Iterable<T>): (T | TtlValue<T>)[] {
    const out: (T | TtlValue<T>)[] = [];
    const now = this.ttl === undefined ? 0 : this.ttl.now();
    for (const value of values) {
      checkElement(value);
      out.push(this.ttl === undefined ? value : { v: value, t: now });
    }
    return out;
  }

  protected encode(entry: T[] | TtlValue<T>[]): unknown {
    if (this.ttl === undefined) {
      // Raw values: the list is serialized with the key group, no per-element work.
      return this.identitySnapshotValues ? [entry] : [(entry as T[]).map((v) => this.encodeValue(v))];
    }
    const list = entry as TtlValue<T>[];
    return [list.map((e) => this.encodeValue(e.v)), list.map((e) => e.t)];
  }

  protected decode(payload: unknown, now: number, raw: boolean): T[] | TtlValue<T>[] | undefined {
    const [elements, stamps] = payload as [unknown[], number[]?];
    if (elements.length === 0) return undefined;
    const values =
      raw && this.descriptor.serializer.fromCloneable === undefined
        ? (elements as T[])
        : elements.map((stored) => this.decodeValue(stored, raw) as T);
    if (this.ttl === undefined) return values;
    return values.map((v, i) => ({ v, t: stamps?.[i] ?? now }));
  }

  protected purgeExpired(entry: T[] | TtlValue<T>[], now: number): TtlValue<T>[] | undefined {
    const ttl = this.ttl!;
    const list = entry as TtlValue<T>[];
    let i = 0;
    while (i < list.length && !ttl.isExpired(list[i]!.t, now)) i++;
    if (i === list.length) return list;
    const live = list.slice(0, i);
    for (i++; i < list.length; i++) if (!ttl.isExpired(list[i]!.t, now)) live.push(list[i]!);
    return live.length === 0 ? undefined : live;
  }
}

/** Flink rejects null elements; `undefined` would also read back as a hole. */
function checkElement(value: unknown): void {
  if (value === undefined || value === null)
    throw new TypeError('list state elements must not be null or undefined');
}
