import {
  type AfterMatchSkipStrategy,
  type Pattern,
  type PatternContext,
  PatternProcessFunction,
  type TimedOutPartialMatchHandler,
} from '../../../src/cep/index.js';
import { compileNFA, NFA, type NFAState } from '../../../src/cep/nfa/index.js';
import { type Collector, OutputTag, WatermarkStrategy } from '../../../src/core/index.js';

/**
 * Shared helpers of the CEP feature tests (scenarios ported from Flink's own CEP test families).
 *
 * An event is `name` like `a2` (its `type` is the letters, `a`), an optional numeric value `v`
 * (Flink's `price`) and a timestamp `ts`. Events are plain data, so they survive snapshots.
 */
export interface Ev {
  readonly name: string;
  readonly type: string;
  readonly v: number;
  readonly ts: number;
}

/** `is('a', 'b')`: the condition "event of type a or b". */
export const is =
  (...types: string[]) =>
  (e: Ev): boolean =>
    types.includes(e.type);

/**
 * Parses `"c1 a1:2 x a2@7"`: `:v` sets the value (default 0), `@t` the timestamp (default: one more
 * than the previous event's, starting at 1, like Flink's tests which number records from 1). A
 * name without digits (`x`) is a filler event of that type.
 */
export function events(text: string): Ev[] {
  let last = 0;
  return text
    .trim()
    .split(/\s+/)
    .map((token) => {
      const m = /^([a-zA-Z]+[0-9]*)(?::(-?[0-9.]+))?(?:@([0-9]+))?$/.exec(token);
      if (m === null) throw new Error(`bad event token ${token}`);
      const name = m[1]!;
      const ts = m[3] === undefined ? last + 1 : Number(m[3]);
      last = ts;
      return { name, type: name.replace(/[0-9]+$/, ''), v: m[2] === undefined ? 0 : Number(m[2]), ts };
    });
}

/** A match as its event names in time order, e.g. `'c1 a1 a2 b1'`. */
export function show(match: Map<string, Ev[]>): string {
  return [...match.values()]
    .flat()
    .sort((x, y) => x.ts - y.ts || x.name.localeCompare(y.name))
    .map((e) => e.name)
    .join(' ');
}

/** A match by stage, in stage order, e.g. `'start:c1|middle:a1,a2|end:b1'`. */
export function showStages(match: Map<string, Ev[]>): string {
  return [...match].map(([k, v]) => `${k}:${v.map((e) => e.name).join(',')}`).join('|');
}

export interface Run {
  /** Matches in emission order. */
  readonly matches: string[];
  /** The same matches by stage. */
  readonly stages: string[];
  /** The same matches as sets: event names sorted alphabetically (for events sharing timestamps). */
  readonly sets: string[];
  /** Timed-out partial matches as `'a1 b1@<timeout time>'`. */
  readonly timedOut: string[];
  readonly nfa: NFA<Ev>;
  readonly state: NFAState<Ev>;
}

export interface RunOptions {
  /** Advance time to this after the last event (completes trailing notFollowedBy, times out). */
  readonly endTime?: number;
  /** Override the pattern's skip strategy. */
  readonly skip?: AfterMatchSkipStrategy;
  /** Call `advanceTime(ts)` before each event, as the CEP operator does (default true). */
  readonly advance?: boolean;
}

/** Feeds `input` to a fresh NFA for `pattern` the way Flink's NFA tests and CEP operator do. */
export function run(pattern: Pattern<Ev, any>, input: Ev[] | string, options: RunOptions = {}): Run {
  const nfa = new NFA<Ev>(compileNFA(pattern), { processingTime: () => 0 });
  const state = nfa.createInitialState();
  const matches: string[] = [];
  const stages: string[] = [];
  const sets: string[] = [];
  const timedOut: string[] = [];
  const skip = options.skip;
  const collect = (ms: readonly Map<string, Ev[]>[]) => {
    for (const m of ms) {
      matches.push(show(m));
      stages.push(showStages(m));
      sets.push(
        [...m.values()]
          .flat()
          .map((e) => e.name)
          .sort()
          .join(' '),
      );
    }
  };
  const advance = (ts: number) => {
    const r = skip ? nfa.advanceTime(state, ts, skip) : nfa.advanceTime(state, ts);
    collect(r.matches);
    for (const [m, at] of r.timedOut) timedOut.push(`${show(m)}@${at}`);
  };
  for (const e of typeof input === 'string' ? events(input) : input) {
    if (options.advance !== false) advance(e.ts);
    collect(skip ? nfa.process(state, e, e.ts, skip) : nfa.process(state, e, e.ts));
  }
  if (options.endTime !== undefined) advance(options.endTime);
  return { matches, stages, sets, timedOut, nfa, state };
}

/** The matches of `run`, sorted (for Flink tests that compare match lists order-insensitively). */
export function matchesOf(pattern: Pattern<Ev, any>, input: Ev[] | string, options?: RunOptions): string[] {
  return sorted(run(pattern, input, options).matches);
}

/** Sorted copy. */
export function sorted(xs: readonly string[]): string[] {
  return [...xs].sort();
}

// ---------------------------------------------------------------------------------------------
// Jobs: keyed events, punctuated watermarks, and a process function that reports everything.

/** An event of a keyed job. */
export interface KEv extends Ev {
  readonly key: string;
}

/** `keyed('A', 'a1@5 b1@7')`: the events of key A. */
export function keyed(key: string, text: string): KEv[] {
  return events(text).map((e) => ({ ...e, key }));
}

/** Merges keyed event lists by timestamp (stable), as one source would deliver them. */
export function byTime(...lists: KEv[][]): KEv[] {
  return lists.flat().sort((x, y) => x.ts - y.ts);
}

/** Watermark `max timestamp seen - delay` after every event (so matching happens during the run). */
export function punctuated<T extends { ts: number }>(delay: number): WatermarkStrategy<T> {
  return WatermarkStrategy.forGenerator<T>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        out.emitWatermark(max - delay);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: T) => e.ts);
}

/** Where {@link Report} sends timed-out partial matches. */
export const TIMED_OUT = new OutputTag<string>('timed-out');

/**
 * Reports each match as `'<key>: a1 b1 @<match timestamp>'` and each timed-out partial match, to
 * {@link TIMED_OUT}, as `'<key>: a1 @<timeout time>'`.
 */
export class Report extends PatternProcessFunction<KEv, string> implements TimedOutPartialMatchHandler<KEv> {
  processMatch(match: Map<string, KEv[]>, ctx: PatternContext, out: Collector<string>): void {
    out.collect(`${keyOf(match)}: ${show(match)} @${ctx.timestamp()}`);
  }

  processTimedOutMatch(match: Map<string, KEv[]>, ctx: PatternContext): void {
    ctx.output(TIMED_OUT, `${keyOf(match)}: ${show(match)} @${ctx.timestamp()}`);
  }
}

function keyOf(match: Map<string, KEv[]>): string {
  return [...match.values()].flat()[0]?.key ?? '?';
}
