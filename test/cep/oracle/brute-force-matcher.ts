/**
 * A brute-force correctness oracle for the CEP NFA (DESIGN §5, issue 4): it enumerates the matches
 * of a pattern over a finite, timestamped stream straight from Flink's CEP semantics, with no
 * automaton, then applies the after-match skip strategy in the order Flink emits matches.
 *
 * It is meant to be obviously correct, not fast: every candidate match is a sequence of
 * (event index, stage) pairs checked against the rules below; the enumeration is a depth-first
 * search over prefixes (exponential in the worst case, fine for streams of about 30 events).
 *
 * ## Supported pattern family
 *
 * A sequence of named stages (no groups, no `notNext`/`notFollowedBy`, no `until`, no
 * `PREVIOUS_AND_CURRENT` window), each with any condition (iterative conditions get a context
 * over the prefix being built), a quantifier (single, `times(n)`, `times(n, m)`, `oneOrMore`,
 * `timesOrMore(n)`), `optional`, `consecutive`/`allowCombinations`, `greedy` on any stage but the
 * first and the last, a `FIRST_AND_LAST` `within`, and the skip strategies noSkip, skipToNext,
 * skipPastLastEvent, skipToFirst(name), skipToLast(name) without `throwExceptionOnMiss`. Anything
 * else throws {@link OracleUnsupportedError}; an invalid pattern throws `validatePattern`'s error.
 *
 * ## Match semantics (what a match is)
 *
 * A match is a sequence of strictly increasing event indexes e1 < … < ek, each assigned to a stage,
 * stages non-decreasing along the sequence, such that:
 *
 * 1. Condition: every event satisfies its stage's condition (the context sees the events already
 *    assigned, by stage, and the tested event's timestamp).
 * 2. Counts: every stage gets a count within its bounds (single 1; `times(n, m)` n..m; loops n..∞);
 *    an optional stage may get 0.
 * 3. Contiguity between consecutive taken events p < q, where q goes to stage Y and p to stage X:
 *    the rule is X's inner strategy when Y = X, else Y's own edge strategy (`next` strict,
 *    `followedBy` skip-till-next, `followedByAny` skip-till-any; optional stages skipped in between
 *    do not matter): STRICT needs q = p + 1; SKIP_TILL_NEXT needs no event strictly between p and q
 *    that satisfies Y's condition; SKIP_TILL_ANY allows anything in between. Inner strategies:
 *    default skip-till-next, `consecutive()` strict, `allowCombinations()` skip-till-any. Nothing
 *    constrains what precedes e1 (a new match may start at any event).
 * 4. Greedy, exactly as Flink compiles it (`NFACompiler.updateWithGreedyCondition`: every
 *    transition of the state that follows a greedy stage G, the first state of the next stage Y, is
 *    ANDed with "not G's condition"): if the stage before Y is greedy G, then every event r with
 *    p < r <= q, where q is Y's first event and p the taken event before it (G's last event, or an
 *    earlier stage's when an optional G is skipped), must not satisfy G's condition. So G never
 *    hands over while an event it accepts comes before (or is) Y's first event. `validatePattern`
 *    forbids an optional Y after a greedy G, so Y's first state is always where the match waits.
 *    Greedy has no effect on a fixed count (`times(n)`, and `times(0, 1)`, which Flink turns into an
 *    optional `times(1)`): Flink adds the guard only when the count is open.
 *    A greedy last stage has no effect in Flink (its sink, the final state, has no transitions);
 *    the family refuses greedy on the last and on the first stage (FLINK-8914).
 * 5. Window: with `within(W)`, timestamp(ek) - timestamp(e1) < W (Flink prunes a partial match when
 *    an event arrives with timestamp - start >= W, before processing it).
 * 6. Completion: the match ends at ek when every stage after ek's stage is optional and ek's stage
 *    has reached its minimum count; it is then complete at ek (Flink finds the final state by
 *    PROCEED edges right after taking ek).
 *
 * Rules 3 and 4 are what Flink's compiled NFA does: leaving a stage happens on the event after its
 * last one (an IGNORE at an optional or looping stage commits to that stage), the following
 * stage's IGNORE edge decides which events in the gap can be skipped. Every such assignment is
 * produced exactly once by Flink's NFA (distinct paths give distinct assignments).
 *
 * ## Emission order
 *
 * - noSkip: a match is emitted when its last event is processed; among matches ending on the same
 *   event, by start index, then (our tie-break; Flink's priority-queue iteration order is
 *   unspecified there) by end then the lexicographic order of the event index sequences.
 * - other strategies (Flink's `processMatchesAccordingToSkipStrategy`): completed matches go to a
 *   pool; the pool's earliest match (by start index, then the same tie-break) is emitted only while
 *   no live partial match started strictly earlier; emitting it prunes (by start event) the live
 *   partial matches and the pooled matches: skipToNext starts <= the match's first event,
 *   skipPastLastEvent starts <= its last event, skipToFirst/skipToLast(name) starts < the first/last
 *   event of `name` (no pruning if `name` has no event). The pool is released after the time
 *   advances to each event (timed-out partial matches gone) and after each event is processed, and,
 *   with {@link OracleOptions.flush} (default) and a window, once more at the end of the stream when
 *   time passes every window. Without a window, matches held back by a partial match that never
 *   completes are never emitted, as in Flink.
 *
 * A partial match is live after event i when it is a valid prefix (rules 1-5 so far) whose window
 * has not expired at timestamp(i) and that can still continue: the events after its last one up to i
 * can all be ignored by the stage it waits in (its own loop, under its inner strategy) or by a stage
 * it can proceed to (under that stage's edge strategy; rule 4: none accepted by a greedy stage just
 * before it).
 */
import {
  type AfterMatchSkipStrategy,
  type ConditionContext,
  ConsumingStrategy,
  getPatternWindowTime,
  isGroupPattern,
  type Pattern,
  QuantifierProperty,
  SkipStrategyKind,
  stagesOf,
  toConditionFunction,
  validatePattern,
  WithinType,
} from '../../../src/cep/index.js';

/** What the oracle needs of an event: its timestamp (milliseconds). */
export interface Timestamped {
  readonly timestamp: number;
}

/** Options of {@link oracleMatches}. */
export interface OracleOptions {
  /**
   * Whether time passes every window after the last event (a final watermark of +∞), which times out
   * the remaining partial matches and releases the matches they held back. Default `true`.
   */
  readonly flush?: boolean;
  /** Throw {@link OracleTooLargeError} beyond this many valid prefixes. Default 300 000. */
  readonly maxPrefixes?: number;
}

/** The pattern is outside the family the oracle supports. */
export class OracleUnsupportedError extends Error {
  override readonly name = 'OracleUnsupportedError';
}

/** The enumeration went past {@link OracleOptions.maxPrefixes}. */
export class OracleTooLargeError extends Error {
  override readonly name = 'OracleTooLargeError';
}

/** A match by event indexes: `indexes[k]` went to stage `stages[k]` (a stage name). */
export interface IndexedMatch {
  readonly indexes: readonly number[];
  readonly stages: readonly string[];
  readonly start: number;
  readonly end: number;
}

/** One stage, as the oracle reads it. */
export interface OracleStage<E> {
  readonly name: string;
  readonly test: (event: E, ctx: ConditionContext<E>) => boolean;
  readonly min: number;
  readonly max: number;
  readonly optional: boolean;
  readonly greedy: boolean;
  /** Edge strategy (ignored for the first stage). */
  readonly edge: ConsumingStrategy;
  /** Strategy between the stage's own events. */
  readonly inner: ConsumingStrategy;
}

/** A prefix: a linked list of taken events, newest first. */
interface Prefix {
  readonly parent: Prefix | undefined;
  readonly index: number;
  readonly stage: number;
  /** Events taken by `stage` so far, this one included. */
  readonly count: number;
  readonly start: number;
}

/**
 * Reads a pattern (its last stage) into the oracle's stage list; throws
 * {@link OracleUnsupportedError} outside the supported family.
 */
export function oracleStages<E>(pattern: Pattern<E, any>): OracleStage<E>[] {
  validatePattern(pattern);
  const raw = stagesOf(pattern);
  return raw.map((stage, i) => {
    const name = stage.getName();
    if (isGroupPattern(stage)) throw new OracleUnsupportedError(`group stage ${stage.describe()}`);
    const q = stage.getQuantifier();
    if (q.isNegation()) throw new OracleUnsupportedError(`negated stage ${name}`);
    if (stage.getUntilCondition() !== undefined) throw new OracleUnsupportedError(`until on ${name}`);
    if (stage.getWindowSize(WithinType.PREVIOUS_AND_CURRENT) !== undefined) {
      throw new OracleUnsupportedError(`PREVIOUS_AND_CURRENT window on ${name}`);
    }
    const greedy = q.hasProperty(QuantifierProperty.GREEDY);
    if (greedy && (i === 0 || i === raw.length - 1)) {
      throw new OracleUnsupportedError(`greedy on the first or last stage (${name})`);
    }
    const times = stage.getTimes();
    let min = 1;
    let max = 1;
    if (q.hasProperty(QuantifierProperty.TIMES)) {
      min = times!.getFrom();
      max = times!.getTo();
    } else if (q.hasProperty(QuantifierProperty.LOOPING)) {
      min = times!.getFrom();
      max = Number.POSITIVE_INFINITY;
    }
    const fn = toConditionFunction(stage.getCondition());
    // Flink guards the next stage only when the greedy stage's count is open (a loop, or
    // times(from, to) with from < to after times(0, n) became optional times(1, n)).
    const effectiveGreedy = greedy && min !== max;
    return {
      name,
      test: (event: E, ctx: ConditionContext<E>) => fn(event, ctx),
      min,
      max,
      optional: q.hasProperty(QuantifierProperty.OPTIONAL),
      greedy: effectiveGreedy,
      edge: q.getConsumingStrategy(),
      inner: q.getInnerConsumingStrategy(),
    };
  });
}

/**
 * The matches of `pattern` over `events` (in stream order, timestamps strictly increasing), as Flink
 * emits them: stage name -> events, stages without events left out, in emission order (see the
 * module documentation).
 *
 * @example
 * ```ts
 * oracleMatches(Pattern.begin<Ev>('a').where(isA).next('b').where(isB), [a1, b1]); // [{ a: [a1], b: [b1] }]
 * ```
 */
export function oracleMatches<E extends Timestamped>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  options: OracleOptions = {},
): Array<Record<string, E[]>> {
  return oracleIndexedMatches(pattern, events, options).map((m) => {
    const out: Record<string, E[]> = {};
    m.indexes.forEach((index, k) => {
      const name = m.stages[k]!;
      const list = out[name] ?? [];
      list.push(events[index]!);
      out[name] = list;
    });
    return out;
  });
}

/** {@link oracleMatches} by event indexes. */
export function oracleIndexedMatches<E extends Timestamped>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  options: OracleOptions = {},
): IndexedMatch[] {
  for (let i = 1; i < events.length; i++) {
    if (!(events[i]!.timestamp > events[i - 1]!.timestamp)) {
      throw new OracleUnsupportedError('timestamps must be strictly increasing');
    }
  }
  const skip = pattern.getAfterMatchSkipStrategy();
  if (skip.throwOnMiss) throw new OracleUnsupportedError('throwExceptionOnMiss');
  const oracle = new Enumeration(oracleStages(pattern), events, getPatternWindowTime(pattern), options);
  oracle.enumerate();
  return oracle.emit(skip, options.flush ?? true).map((p) => toIndexed(p, oracle.stages));
}

/**
 * Every complete match (rules 1-6) of `pattern` over `events`, before any skip strategy, ordered by
 * {@link compareIndexedMatches}.
 */
export function enumerateAllMatches<E extends Timestamped>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  options: OracleOptions = {},
): IndexedMatch[] {
  const oracle = new Enumeration(oracleStages(pattern), events, getPatternWindowTime(pattern), options);
  oracle.enumerate();
  return oracle.matches.map((p) => toIndexed(p, oracle.stages)).sort(compareIndexedMatches);
}

/**
 * Checks one candidate match against rules 1-6 globally (no search), independently of the
 * enumeration: returns why it is not a match, or `undefined` if it is one. `stageOf[k]` is the
 * stage index of `indexes[k]`.
 */
export function explainInvalidMatch<E extends Timestamped>(
  pattern: Pattern<E, any>,
  events: readonly E[],
  indexes: readonly number[],
  stageOf: readonly number[],
): string | undefined {
  const stages = oracleStages(pattern);
  const window = getPatternWindowTime(pattern);
  const n = indexes.length;
  if (n === 0 || stageOf.length !== n) return 'empty or malformed';
  const ctxOf = (upTo: number, index: number): ConditionContext<E> => ({
    getEventsForPattern: (name) =>
      indexes
        .slice(0, upTo)
        .filter((_, k) => stages[stageOf[k]!]!.name === name)
        .map((i) => events[i]!),
    timestamp: () => events[index]!.timestamp,
    currentProcessingTime: () => 0,
  });
  // `upTo` events of the candidate are the context.
  const holds = (stage: number, index: number, upTo: number) =>
    stages[stage]!.test(events[index]!, ctxOf(upTo, index));
  for (let k = 1; k < n; k++) {
    if (!(indexes[k]! > indexes[k - 1]!)) return 'indexes not increasing';
    if (stageOf[k]! < stageOf[k - 1]!) return 'stages not in order';
  }
  const counts = stages.map((_, y) => stageOf.filter((s) => s === y).length);
  for (let y = 0; y < stages.length; y++) {
    const st = stages[y]!;
    if (counts[y] === 0 ? !st.optional : counts[y]! < st.min || counts[y]! > st.max) {
      return `count ${counts[y]} of ${st.name}`;
    }
  }
  for (let k = 0; k < n; k++) {
    if (!holds(stageOf[k]!, indexes[k]!, k)) return `condition of event ${indexes[k]}`;
  }
  // Rule 4: the stage before `y` is greedy.
  const greedyBefore = (y: number) => y > 0 && stages[y - 1]!.greedy;
  if (greedyBefore(stageOf[0]!) && holds(stageOf[0]! - 1, indexes[0]!, 0)) return 'greedy skipped at start';
  for (let k = 1; k < n; k++) {
    const x = stageOf[k - 1]!;
    const y = stageOf[k]!;
    const p = indexes[k - 1]!;
    const q = indexes[k]!;
    const strategy = x === y ? stages[x]!.inner : stages[y]!.edge;
    if (strategy === ConsumingStrategy.STRICT && q !== p + 1) return `strict gap before ${q}`;
    if (strategy === ConsumingStrategy.SKIP_TILL_NEXT) {
      for (let r = p + 1; r < q; r++) if (holds(y, r, k)) return `skip-till-next skipped ${r}`;
    }
    if (x !== y && greedyBefore(y)) {
      for (let r = p + 1; r <= q; r++)
        if (holds(y - 1, r, k)) return `greedy ${stages[y - 1]!.name} accepts ${r}`;
    }
  }
  if (window !== undefined && events[indexes[n - 1]!]!.timestamp - events[indexes[0]!]!.timestamp >= window) {
    return 'window';
  }
  return undefined;
}

/** Orders matches by start, then end, then their event index sequences (the oracle's tie-break). */
export function compareIndexedMatches(a: IndexedMatch, b: IndexedMatch): number {
  if (a.start !== b.start) return a.start - b.start;
  if (a.end !== b.end) return a.end - b.end;
  const n = Math.min(a.indexes.length, b.indexes.length);
  for (let k = 0; k < n; k++) {
    if (a.indexes[k] !== b.indexes[k]) return a.indexes[k]! - b.indexes[k]!;
  }
  return a.indexes.length - b.indexes.length;
}

/**
 * An emitted match (stage name -> events, as the NFA or {@link oracleMatches} return it) by event
 * indexes, finding each event in `events` by identity; `undefined` if one is not in the stream.
 * For comparing the NFA's output with the oracle's.
 */
export function indexMatch<E>(
  match: Record<string, readonly E[]>,
  events: readonly E[],
): IndexedMatch | undefined {
  const pairs: Array<[number, string]> = [];
  for (const [name, list] of Object.entries(match)) {
    for (const e of list) {
      const index = events.indexOf(e);
      if (index < 0) return undefined;
      pairs.push([index, name]);
    }
  }
  if (pairs.length === 0) return undefined;
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    indexes: pairs.map((x) => x[0]),
    stages: pairs.map((x) => x[1]),
    start: pairs[0]![0],
    end: pairs[pairs.length - 1]![0],
  };
}

/**
 * Sorts emitted matches into the oracle's order without changing what the order of emission
 * guarantees: with noSkip, matches ending on the same event are sorted (Flink leaves their order
 * unspecified); with a skip strategy, matches with the same start are (emission is by start).
 * Compare `sortTies(nfa)` with `sortTies(oracle)` to ignore only the unspecified part of the order.
 */
export function sortTies(matches: readonly IndexedMatch[], skip: SkipStrategyKind): IndexedMatch[] {
  const group = (m: IndexedMatch) => (skip === SkipStrategyKind.NO_SKIP ? m.end : m.start);
  const out: IndexedMatch[] = [];
  let run: IndexedMatch[] = [];
  for (const m of matches) {
    if (run.length > 0 && group(run[0]!) !== group(m)) {
      out.push(...run.sort(compareIndexedMatches));
      run = [];
    }
    run.push(m);
  }
  out.push(...run.sort(compareIndexedMatches));
  return out;
}

function toIndexed<E>(p: Prefix, stages: readonly OracleStage<E>[]): IndexedMatch {
  const indexes: number[] = [];
  const names: string[] = [];
  for (let n: Prefix | undefined = p; n !== undefined; n = n.parent) {
    indexes.push(n.index);
    names.push(stages[n.stage]!.name);
  }
  indexes.reverse();
  names.reverse();
  return { indexes, stages: names, start: p.start, end: p.index };
}

class Enumeration<E extends Timestamped> {
  /** Every valid prefix (rules 1-5), complete or not. */
  readonly prefixes: Prefix[] = [];
  /** The complete ones (rule 6). */
  readonly matches: Prefix[] = [];
  private readonly maxPrefixes: number;

  constructor(
    readonly stages: readonly OracleStage<E>[],
    private readonly events: readonly E[],
    private readonly window: number | undefined,
    options: OracleOptions,
  ) {
    this.maxPrefixes = options.maxPrefixes ?? 300_000;
  }

  enumerate(): void {
    const last = this.stages.length - 1;
    for (let s = 0; s < this.events.length; s++) {
      // The first taken event may go to the first stage or, skipping optional leading stages, a later one.
      for (let y = 0; y <= last; y++) {
        if (y > 0 && !this.stages[y - 1]!.optional) break;
        if (this.greedyBlocks(y, s, undefined) || !this.test(this.stages[y]!, s, undefined)) continue;
        this.visit({ parent: undefined, index: s, stage: y, count: 1, start: s });
      }
    }
  }

  private visit(p: Prefix): void {
    this.prefixes.push(p);
    if (this.prefixes.length > this.maxPrefixes) {
      throw new OracleTooLargeError(`more than ${this.maxPrefixes} prefixes`);
    }
    if (this.isComplete(p)) this.matches.push(p);
    for (const y of this.nextStages(p)) {
      const target = this.stages[y]!;
      const strategy = y === p.stage ? this.stages[p.stage]!.inner : target.edge;
      const intoFirst = y !== p.stage;
      for (let q = p.index + 1; q < this.events.length; q++) {
        if (!this.withinWindow(p.start, q)) break;
        // Rule 4: waiting in Y's first state, an event the greedy stage before accepts ends the wait.
        if (intoFirst && this.greedyBlocks(y, q, p)) break;
        if (this.test(target, q, p)) {
          this.visit({
            parent: p,
            index: q,
            stage: y,
            count: y === p.stage ? p.count + 1 : 1,
            start: p.start,
          });
          if (strategy === ConsumingStrategy.SKIP_TILL_NEXT) break; // a matching event cannot be skipped
        }
        if (strategy === ConsumingStrategy.STRICT) break;
      }
    }
  }

  /**
   * The stages the event after `p` may go to: `p`'s own stage while below its maximum, and, once its
   * minimum is reached, the later stages reachable by skipping optional ones.
   */
  private nextStages(p: Prefix): number[] {
    const own = this.stages[p.stage]!;
    const out: number[] = [];
    if (p.count < own.max) out.push(p.stage);
    if (p.count < own.min) return out;
    for (let y = p.stage + 1; y < this.stages.length; y++) {
      out.push(y);
      if (!this.stages[y]!.optional) break;
    }
    return out;
  }

  /** Rule 4: the stage before `y` is greedy and accepts event `index` (context `p`). */
  private greedyBlocks(y: number, index: number, p: Prefix | undefined): boolean {
    return y > 0 && this.stages[y - 1]!.greedy && this.test(this.stages[y - 1]!, index, p);
  }

  /** Rule 6: every later stage optional and own minimum reached. */
  private isComplete(p: Prefix): boolean {
    if (p.count < this.stages[p.stage]!.min) return false;
    for (let y = p.stage + 1; y < this.stages.length; y++) if (!this.stages[y]!.optional) return false;
    return true;
  }

  /**
   * Whether the partial match `p` is live after event `i` (>= its last event): window not expired
   * at timestamp(i) and some stage it waits in can have ignored every event after it up to `i`.
   */
  isLiveAfter(p: Prefix, i: number, timestamp: number): boolean {
    if (this.window !== undefined && timestamp - this.events[p.start]!.timestamp >= this.window) return false;
    if (i === p.index) {
      // After a take the computation waits in the stage's next state, unless it went to the final state.
      return p.count < this.stages[p.stage]!.max || p.stage < this.stages.length - 1;
    }
    for (const y of this.nextStages(p)) {
      const strategy = y === p.stage ? this.stages[p.stage]!.inner : this.stages[y]!.edge;
      if (strategy === ConsumingStrategy.STRICT) continue;
      let ignored = true;
      for (let r = p.index + 1; r <= i && ignored; r++) {
        const blocked = y !== p.stage && this.greedyBlocks(y, r, p);
        ignored =
          !blocked && (strategy === ConsumingStrategy.SKIP_TILL_ANY || !this.test(this.stages[y]!, r, p));
      }
      if (ignored) return true;
    }
    return false;
  }

  /** The matches in emission order after the skip strategy. */
  emit(skip: AfterMatchSkipStrategy, flush: boolean): Prefix[] {
    const byEnd = new Map<number, Prefix[]>();
    for (const m of this.matches) {
      const list = byEnd.get(m.index) ?? [];
      list.push(m);
      byEnd.set(m.index, list);
    }
    const order = (a: Prefix, b: Prefix) =>
      compareIndexedMatches(toIndexed(a, this.stages), toIndexed(b, this.stages));
    if (!skip.isSkipStrategy()) {
      const out: Prefix[] = [];
      for (let i = 0; i < this.events.length; i++) out.push(...(byEnd.get(i) ?? []).sort(order));
      return out;
    }
    const discarded = new Set<number>();
    let pool: Prefix[] = [];
    const out: Prefix[] = [];
    const release = (earliestLiveStart: () => number | undefined): void => {
      let live = pool.length === 0 ? undefined : earliestLiveStart();
      for (;;) {
        pool.sort(order);
        const m = pool[0];
        if (m === undefined) return;
        if (live !== undefined && m.start > live) return;
        pool.shift();
        out.push(m);
        const prune = this.pruneTest(skip, m);
        for (let s = 0; s < this.events.length; s++) if (prune(s)) discarded.add(s);
        pool = pool.filter((x) => !discarded.has(x.start));
        if (pool.length > 0) live = earliestLiveStart();
      }
    };
    // Prefixes are enumerated by ascending start, so the first live one has the earliest start. A
    // prefix dead after event i stays dead after any later event, so it is flagged and skipped.
    const dead = new Uint8Array(this.prefixes.length);
    const liveStart = (after: number, timestamp: number) => (): number | undefined => {
      for (let k = 0; k < this.prefixes.length; k++) {
        const p = this.prefixes[k]!;
        if (p.start > after) return undefined;
        if (dead[k] === 1 || p.index > after) continue;
        if (!discarded.has(p.start) && this.isLiveAfter(p, after, timestamp)) return p.start;
        dead[k] = 1;
      }
      return undefined;
    };
    for (let i = 0; i < this.events.length; i++) {
      const ts = this.events[i]!.timestamp;
      if (i > 0) release(liveStart(i - 1, ts));
      pool.push(...(byEnd.get(i) ?? []).filter((m) => !discarded.has(m.start)));
      release(liveStart(i, ts));
    }
    if (flush && this.window !== undefined) release(() => undefined);
    return out;
  }

  private pruneTest(skip: AfterMatchSkipStrategy, m: Prefix): (start: number) => boolean {
    const taken = toIndexed(m, this.stages);
    switch (skip.kind) {
      case SkipStrategyKind.SKIP_TO_NEXT:
        return (s) => s <= taken.start;
      case SkipStrategyKind.SKIP_PAST_LAST_EVENT:
        return (s) => s <= taken.end;
      case SkipStrategyKind.SKIP_TO_FIRST:
      case SkipStrategyKind.SKIP_TO_LAST: {
        const own = taken.indexes.filter((_, k) => taken.stages[k] === skip.patternName);
        if (own.length === 0) return () => false;
        const id = skip.kind === SkipStrategyKind.SKIP_TO_FIRST ? own[0]! : own[own.length - 1]!;
        return (s) => s < id;
      }
      default:
        return () => false;
    }
  }

  private withinWindow(start: number, q: number): boolean {
    return (
      this.window === undefined || this.events[q]!.timestamp - this.events[start]!.timestamp < this.window
    );
  }

  /** Tests event `index` against `stage` with a context over the prefix `p`. */
  private test(stage: OracleStage<E>, index: number, p: Prefix | undefined): boolean {
    const event = this.events[index]!;
    const ctx: ConditionContext<E> = {
      getEventsForPattern: (name) => {
        const found: E[] = [];
        for (let n = p; n !== undefined; n = n.parent) {
          if (this.stages[n.stage]!.name === name) found.push(this.events[n.index]!);
        }
        return found.reverse();
      },
      timestamp: () => event.timestamp,
      currentProcessingTime: () => 0,
    };
    return stage.test(event, ctx);
  }
}
