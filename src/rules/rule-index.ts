import { type GuardValue, type NumericRange, type RuleGuard, rangeHull } from './condition-guards.js';

/**
 * A rule and its guard (from {@link ruleGuard}), as {@link RuleIndex.build} takes them.
 *
 * @example
 * ```ts
 * const entry: RuleIndexEntry<Rule> = { rule, guard: ruleGuard(rule).guard };
 * ```
 */
export interface RuleIndexEntry<R> {
  readonly rule: R;
  readonly guard: RuleGuard;
}

/**
 * The rules that can take an event, found without evaluating any condition: per guarded field, a
 * map from value to the positions of the rules whose guard names it (those whose pair carries a
 * numeric range only when the event's field may be in it: ranges sorted by lower bound, as
 * Esper's filter index does for relational operators), merged with the rules that are always
 * candidates. Immutable: build a new one when the rules change.
 *
 * Candidates come in the order of the entries, each once. Event fields are read as own properties
 * only (`constructor`, `__proto__` never reach a prototype), and only string and boolean values
 * are looked up. {@link RuleIndex.candidates} allocates nothing but what `out` grows by; it is not
 * reentrant (no callback runs inside it).
 *
 * @example
 * ```ts
 * const index = RuleIndex.build(rules.map((rule) => ({ rule, guard: ruleGuard(rule).guard })));
 * const out: Rule[] = [];
 * for (const rule of index.candidates(event, out)) evaluate(rule, event);
 * ```
 */
export class RuleIndex<R> {
  /** The rules, by position. */
  private readonly rules: readonly R[];
  /** Positions of the rules that are candidates for every event, ascending. */
  private readonly alwaysPositions: Int32Array;
  /** Guarded fields, and per field: value -> its bucket. */
  private readonly fieldNames: readonly string[];
  private readonly byValue: readonly ReadonlyMap<GuardValue, Bucket>[];
  /** Scratch of {@link candidates}: the position lists to merge, their lengths and read heads. */
  private readonly lists: Int32Array[] = [];
  private readonly lens: Int32Array;
  private readonly heads: Int32Array;

  /** Rules that are candidates for every event, in entry order. */
  readonly always: readonly R[];

  private constructor(
    rules: readonly R[],
    alwaysPositions: Int32Array,
    fieldNames: readonly string[],
    byValue: readonly ReadonlyMap<GuardValue, Bucket>[],
  ) {
    this.rules = rules;
    this.alwaysPositions = alwaysPositions;
    this.fieldNames = fieldNames;
    this.byValue = byValue;
    // At most: the always list, and per field one bucket's plain list and its ranged groups.
    let most = 1;
    for (const values of byValue) {
      let widest = 0;
      for (const b of values.values()) widest = Math.max(widest, 1 + b.ranged.length);
      most += widest;
    }
    this.lens = new Int32Array(most);
    this.heads = new Int32Array(most);
    this.always = Array.from(alwaysPositions, (p) => rules[p]!);
  }

  /**
   * Indexes the entries; a rule's position is its entry's.
   *
   * @example
   * ```ts
   * RuleIndex.build([{ rule: 'a', guard: [{ field: 'type', value: 'login' }] }, { rule: 'b', guard: 'always' }]);
   * ```
   */
  static build<R>(entries: readonly RuleIndexEntry<R>[]): RuleIndex<R> {
    const always: number[] = [];
    const fieldNames: string[] = [];
    const fieldPos = new Map<string, number>();
    const byValue: Map<GuardValue, { position: number; range: NumericRange | undefined }[]>[] = [];
    entries.forEach((entry, position) => {
      const guard = entry.guard;
      if (guard === 'always') {
        always.push(position);
        return;
      }
      for (const { field, value, range } of guard) {
        if (typeof value !== 'string' && typeof value !== 'boolean') {
          throw new TypeError(`guard value of ${field} must be a string or a boolean`);
        }
        let f = fieldPos.get(field);
        if (f === undefined) {
          f = fieldNames.length;
          fieldPos.set(field, f);
          fieldNames.push(field);
          byValue.push(new Map());
        }
        const values = byValue[f]!;
        let list = values.get(value);
        if (list === undefined) {
          list = [];
          values.set(value, list);
        }
        const last = list[list.length - 1];
        if (last?.position !== position) list.push({ position, range });
        else if (last.range !== undefined) {
          // The same rule twice under one value: it is a candidate when either pair admits the event.
          last.range =
            range === undefined || range.field !== last.range.field
              ? undefined
              : rangeHull(last.range, range);
        }
      }
    });
    const buckets = byValue.map((m) => new Map([...m].map(([v, list]) => [v, bucketOf(list)] as const)));
    return new RuleIndex(
      entries.map((e) => e.rule),
      Int32Array.from(always),
      fieldNames,
      buckets,
    );
  }

  /** How many rules are indexed. @example `RuleIndex.build([]).size // 0` */
  get size(): number {
    return this.rules.length;
  }

  /** The fields guards name, in first-seen order. @example `index.fields // ['type']` */
  get fields(): readonly string[] {
    return this.fieldNames;
  }

  /**
   * Fills `out` (cleared first) with the rules that can take `event`, in entry order, each once,
   * and returns it.
   *
   * @example
   * ```ts
   * index.candidates({ type: 'login', ts: 1 }, scratch);
   * ```
   */
  candidates(event: { readonly [field: string]: unknown }, out: R[]): R[] {
    out.length = 0;
    const { lists, lens } = this;
    let k = 0;
    if (this.alwaysPositions.length > 0) {
      lists[k] = this.alwaysPositions;
      lens[k++] = this.alwaysPositions.length;
    }
    const names = this.fieldNames;
    for (let f = 0; f < names.length; f++) {
      const name = names[f]!;
      if (!Object.hasOwn(event, name)) continue;
      const value = event[name];
      if (typeof value !== 'string' && typeof value !== 'boolean') continue;
      const bucket = this.byValue[f]!.get(value);
      if (bucket === undefined) continue;
      if (bucket.plain.length > 0) {
        lists[k] = bucket.plain;
        lens[k++] = bucket.plain.length;
      }
      for (let g = 0; g < bucket.ranged.length; g++) {
        const group = bucket.ranged[g]!;
        const n = stab(group, event);
        if (n > 0) {
          lists[k] = group.hits;
          lens[k++] = n;
        }
      }
    }
    const rules = this.rules;
    if (k === 1) {
      const only = lists[0]!;
      const n = lens[0]!;
      for (let i = 0; i < n; i++) out.push(rules[only[i]!]!);
    } else if (k > 1) {
      this.merge(k, out);
    }
    return out;
  }

  /** Merges `lists[0..k)` (ascending positions, `lens` long) into `out`, each position once. */
  private merge(k: number, out: R[]): void {
    const { lists, lens, heads, rules } = this;
    heads.fill(0, 0, k);
    for (;;) {
      let min = Number.MAX_SAFE_INTEGER;
      for (let j = 0; j < k; j++) {
        const h = heads[j]!;
        if (h < lens[j]! && lists[j]![h]! < min) min = lists[j]![h]!;
      }
      if (min === Number.MAX_SAFE_INTEGER) return;
      for (let j = 0; j < k; j++) {
        const h = heads[j]!;
        if (h < lens[j]! && lists[j]![h] === min) heads[j] = h + 1;
      }
      out.push(rules[min]!);
    }
  }
}

/**
 * The rules of one (field, value): those without a range, and those with one, grouped by the
 * range's field and sorted by lower bound.
 */
interface Bucket {
  /** Positions, ascending. */
  readonly plain: Int32Array;
  readonly ranged: readonly RangeGroup[];
}

/** Ranges on one field, sorted by lower bound (a bound at -Infinity first). */
interface RangeGroup {
  readonly field: string;
  readonly lo: Float64Array;
  readonly loOpen: Uint8Array;
  readonly hi: Float64Array;
  readonly hiOpen: Uint8Array;
  readonly positions: Int32Array;
  /** The same positions, ascending (every range may hold an event whose field is not a number). */
  readonly ascending: Int32Array;
  /** Scratch: the positions an event meets, ascending, in front. */
  readonly hits: Int32Array;
}

function bucketOf(list: readonly { position: number; range: NumericRange | undefined }[]): Bucket {
  const plain: number[] = [];
  const byField = new Map<string, { position: number; range: NumericRange }[]>();
  for (const { position, range } of list) {
    if (range === undefined) {
      plain.push(position);
      continue;
    }
    let group = byField.get(range.field);
    if (group === undefined) {
      group = [];
      byField.set(range.field, group);
    }
    group.push({ position, range });
  }
  const ranged: RangeGroup[] = [];
  for (const [field, group] of byField) {
    group.sort((a, b) => a.range.lo - b.range.lo || a.position - b.position);
    ranged.push({
      field,
      lo: Float64Array.from(group, (g) => g.range.lo),
      loOpen: Uint8Array.from(group, (g) => (g.range.loOpen ? 1 : 0)),
      hi: Float64Array.from(group, (g) => g.range.hi),
      hiOpen: Uint8Array.from(group, (g) => (g.range.hiOpen ? 1 : 0)),
      positions: Int32Array.from(group, (g) => g.position),
      ascending: Int32Array.from(group, (g) => g.position).sort(),
      hits: new Int32Array(group.length),
    });
  }
  return { plain: Int32Array.from(plain), ranged };
}

/**
 * Puts the positions of `group` whose range `event` may meet (see `inRange`) in front of
 * `group.hits`, ascending, and returns how many.
 */
function stab(group: RangeGroup, event: { readonly [field: string]: unknown }): number {
  const field = group.field;
  const hits = group.hits;
  const positions = group.positions;
  const v = Object.hasOwn(event, field) ? event[field] : undefined;
  if (typeof v !== 'number') {
    // Missing or not a number: left to the conditions (every range may hold; their errors count).
    hits.set(group.ascending);
    return positions.length;
  }
  // Only ranges starting at or below v can hold it: a prefix of the sorted lower bounds.
  const lo = group.lo;
  let end = 0;
  let top = lo.length;
  while (end < top) {
    const mid = (end + top) >>> 1;
    if (lo[mid]! <= v) end = mid + 1;
    else top = mid;
  }
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (group.loOpen[i] === 1 && !(v > lo[i]!)) continue;
    const hi = group.hi[i]!;
    if (!(group.hiOpen[i] === 1 ? v < hi : v <= hi)) continue;
    // Insertion into the ascending front: few ranges hold one amount, and no view is allocated.
    const p = positions[i]!;
    let j = n++;
    while (j > 0 && hits[j - 1]! > p) {
      hits[j] = hits[j - 1]!;
      j--;
    }
    hits[j] = p;
  }
  return n;
}
