import {
  type DynamicPatternContext,
  DynamicPatternProcessFunction,
  type DynamicTimedOutPartialMatchHandler,
  Pattern,
  type PatternUpdate,
  type RejectedPatternUpdate,
} from '../../../../src/cep/index.js';
import { DynamicCepOperator } from '../../../../src/cep/operator/dynamic/dynamic-cep-operator.js';
import { type Collector, OutputTag, WatermarkStrategy } from '../../../../src/core/index.js';
import { OperatorTestHarness } from '../../../../src/core/testing/operator-test-harness.js';

/** A test event: `id` names it in outputs (e.g. 'a1'), `kind` is what conditions look at. */
export interface Ev {
  readonly key: string;
  readonly kind: string;
  readonly id: string;
  readonly ts: number;
}

/** Builds an event from 'key:id@ts', the kind being the id's letters ('a1' -> 'a'). */
export function ev(spec: string): Ev {
  const m = /^(\w+):([a-z]+)(\d*)@(-?\d+)$/.exec(spec);
  if (!m) throw new Error(`bad event spec ${spec}`);
  return { key: m[1]!, kind: m[2]!, id: `${m[2]}${m[3]}`, ts: Number(m[4]) };
}

export type Relation = 'next' | 'followedBy' | 'followedByAny' | 'notNext' | 'notFollowedBy';

/** A stage of the tiny JSON pattern language the tests compile (what rules will be). */
export interface StageDef {
  readonly name: string;
  readonly kind: string;
  readonly rel?: Relation;
  readonly times?: number;
  readonly oneOrMore?: boolean;
}

export interface Def {
  readonly stages: readonly StageDef[];
  readonly within?: number;
}

/** Event ids conditions were asked about, when `recordSeen.on`: to know an event reached the operator. */
export const seenKinds: string[] = [];
export const recordSeen = { on: false };
/** Every compile call's first stage name. */
export const compileCalls: string[] = [];

/** The compile function of the tests: plain data -> Pattern; throws on unknown shapes. */
export function compileDef(def: Def): Pattern<Ev, any> {
  compileCalls.push(def.stages[0]?.name ?? '?');
  if (!Array.isArray(def.stages) || def.stages.length === 0)
    throw new Error('stages must be a non-empty array');
  const cond = (kind: string) => {
    if (typeof kind !== 'string') throw new Error(`kind must be a string, got ${typeof kind}`);
    return (e: Ev) => {
      if (recordSeen.on) seenKinds.push(e.id);
      return e.kind === kind;
    };
  };
  const [first, ...rest] = def.stages;
  let p: Pattern<Ev, any> = Pattern.begin<Ev>(first!.name).where(cond(first!.kind));
  p = quantify(p, first!);
  for (const s of rest) {
    p = then(p, s.rel ?? 'followedBy', s.name).where(cond(s.kind));
    p = quantify(p, s);
  }
  if (def.within !== undefined) p = p.within(def.within);
  return p;
}

function then(p: Pattern<Ev, any>, rel: Relation, name: string): Pattern<Ev, Ev> {
  switch (rel) {
    case 'next':
      return p.next(name);
    case 'followedBy':
      return p.followedBy(name);
    case 'followedByAny':
      return p.followedByAny(name);
    case 'notNext':
      return p.notNext(name);
    case 'notFollowedBy':
      return p.notFollowedBy(name);
  }
}

function quantify(p: Pattern<Ev, any>, s: StageDef): Pattern<Ev, any> {
  if (s.times !== undefined) return p.times(s.times);
  if (s.oneOrMore) return p.oneOrMore();
  return p;
}

/** 'a followedBy b' and friends, shortest form: seq('a', 'b') or seq('a', ['c', 'notFollowedBy']). */
export function seq(...stages: Array<string | [string, Relation]>): Def {
  return {
    stages: stages.map((s) => {
      const [kind, rel] = typeof s === 'string' ? [s, undefined] : s;
      return rel === undefined ? { name: kind, kind } : { name: kind, kind, rel };
    }),
  };
}

export function upsert(
  id: string,
  version: number,
  definition: Def,
  status: 'active' | 'paused' = 'active',
): PatternUpdate<Def> {
  return { id, version, status, definition };
}

export const timedOutTag = new OutputTag<string>('timed-out');
export const lateTag = new OutputTag<Ev>('late');
export const rejectedTag = new OutputTag<RejectedPatternUpdate<Def>>('rejected');

/** "id@vN key@ts: ids" per match; timed-out partial matches to `timedOutTag`. */
export class Describe
  extends DynamicPatternProcessFunction<Ev, string>
  implements DynamicTimedOutPartialMatchHandler<Ev>
{
  processMatch(m: Map<string, Ev[]>, ctx: DynamicPatternContext, out: Collector<string>): void {
    out.collect(`${ctx.patternId}@v${ctx.version} ${describeMatch(m)} @${ctx.timestamp()}`);
  }

  processTimedOutMatch(m: Map<string, Ev[]>, ctx: DynamicPatternContext): void {
    ctx.output(
      timedOutTag,
      `${ctx.patternId}@v${ctx.version} ${describeMatch(m)} timed out @${ctx.timestamp()}`,
    );
  }
}

/** "key: id id id" in stage order. */
export function describeMatch(m: Map<string, Ev[]>): string {
  const events = [...m.values()].flat();
  return `${events[0]!.key}: ${events.map((e) => e.id).join(' ')}`;
}

/** Punctuated watermarks at max timestamp - `delay`, so matching happens during the run. */
export function punctuated<T extends { ts: number }>(delay = 1): WatermarkStrategy<T> {
  return WatermarkStrategy.forGenerator<T>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        if (ts > max) max = ts;
        out.emitWatermark(max - delay);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: T) => e.ts);
}

export type DynamicHarness = OperatorTestHarness<string, Ev, PatternUpdate<Def>> & {
  readonly operator: DynamicCepOperator<Ev, string, Def, string>;
};

/** A harness around a dynamic CEP operator over `Ev` keyed by `key`, with `Describe`. */
export function dynamicHarness(
  options: { eventTime?: boolean; comparator?: (a: Ev, b: Ev) => number; processingTime?: number } = {},
): DynamicHarness {
  return new OperatorTestHarness<string, Ev, PatternUpdate<Def>>(
    () =>
      new DynamicCepOperator<Ev, string, Def, string>(new Describe(), {
        compile: compileDef,
        keySelector: (e) => e.key,
        eventTime: options.eventTime ?? true,
        comparator: options.comparator,
        lateDataTag: lateTag,
        rejectedUpdatesTag: rejectedTag,
      }),
    { keyed: true, processingTime: options.processingTime },
  ) as DynamicHarness;
}

/** Advances both inputs' watermarks (the operator takes their minimum). */
export function watermark(h: DynamicHarness, wm: number): void {
  h.processWatermark1(wm);
  h.processWatermark2(wm);
}

/** Feeds events given as 'key:id@ts' specs. */
export function feed(h: DynamicHarness, ...specs: string[]): void {
  for (const s of specs) {
    const e = ev(s);
    h.processElement1(e, e.ts);
  }
}

/** Keys holding NFA state of the pattern `id`. */
export function keysWithState(h: DynamicHarness, id: string): unknown[] {
  return [...h.operator.getKeyedStateBackend()!.getKeys('cep.dynamic.nfa-state', id)];
}
