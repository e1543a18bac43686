import type { GuardValue, RuleGuard } from './condition-guards.js';

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
 * map from value to the positions of the rules whose guard names it, merged with the rules that
 * are always candidates. Immutable: build a new one when the rules change.
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
  /** Guarded fields, and per field: value -> positions, ascending. */
  private readonly fieldNames: readonly string[];
  private readonly byValue: readonly ReadonlyMap<GuardValue, Int32Array>[];
  /** Scratch of {@link candidates}: the position lists to merge and their read heads. */
  private readonly lists: Int32Array[];
  private readonly heads: Int32Array;

  /** Rules that are candidates for every event, in entry order. */
  readonly always: readonly R[];

  private constructor(
    rules: readonly R[],
    alwaysPositions: Int32Array,
    fieldNames: readonly string[],
    byValue: readonly ReadonlyMap<GuardValue, Int32Array>[],
  ) {
    this.rules = rules;
    this.alwaysPositions = alwaysPositions;
    this.fieldNames = fieldNames;
    this.byValue = byValue;
    this.lists = new Array<Int32Array>(fieldNames.length + 1);
    this.heads = new Int32Array(fieldNames.length + 1);
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
    const byValue: Map<GuardValue, number[]>[] = [];
    entries.forEach((entry, position) => {
      const guard = entry.guard;
      if (guard === 'always') {
        always.push(position);
        return;
      }
      for (const { field, value } of guard) {
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
        let positions = values.get(value);
        if (positions === undefined) {
          positions = [];
          values.set(value, positions);
        }
        if (positions[positions.length - 1] !== position) positions.push(position);
      }
    });
    const frozen = byValue.map((m) => new Map([...m].map(([v, ps]) => [v, Int32Array.from(ps)] as const)));
    return new RuleIndex(
      entries.map((e) => e.rule),
      Int32Array.from(always),
      fieldNames,
      frozen,
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
    const lists = this.lists;
    let k = 0;
    if (this.alwaysPositions.length > 0) lists[k++] = this.alwaysPositions;
    const names = this.fieldNames;
    for (let f = 0; f < names.length; f++) {
      const name = names[f]!;
      if (!Object.hasOwn(event, name)) continue;
      const value = event[name];
      if (typeof value !== 'string' && typeof value !== 'boolean') continue;
      const positions = this.byValue[f]!.get(value);
      if (positions !== undefined) lists[k++] = positions;
    }
    const rules = this.rules;
    if (k === 1) {
      const only = lists[0]!;
      for (let i = 0; i < only.length; i++) out.push(rules[only[i]!]!);
    } else if (k > 1) {
      this.merge(k, out);
    }
    return out;
  }

  /** Merges `lists[0..k)` (ascending positions) into `out`, each position once. */
  private merge(k: number, out: R[]): void {
    const { lists, heads, rules } = this;
    heads.fill(0, 0, k);
    for (;;) {
      let min = Number.MAX_SAFE_INTEGER;
      for (let j = 0; j < k; j++) {
        const list = lists[j]!;
        const h = heads[j]!;
        if (h < list.length && list[h]! < min) min = list[h]!;
      }
      if (min === Number.MAX_SAFE_INTEGER) return;
      for (let j = 0; j < k; j++) {
        const list = lists[j]!;
        const h = heads[j]!;
        if (h < list.length && list[h] === min) heads[j] = h + 1;
      }
      out.push(rules[min]!);
    }
  }
}
