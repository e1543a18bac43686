import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CEP,
  DynamicCEP,
  type PatternContext,
  PatternProcessFunction,
  type PatternUpdate,
  type TimedOutPartialMatchHandler,
} from '../../../../src/cep/index.js';
import { compileNFA } from '../../../../src/cep/nfa/nfa-compiler.js';
import { CepOperator } from '../../../../src/cep/operator/cep-operator.js';
import {
  type Collector,
  CollectSink,
  OutputTag,
  StreamExecutionEnvironment,
} from '../../../../src/core/index.js';
import { OperatorTestHarness } from '../../../../src/core/testing/operator-test-harness.js';
import {
  compileDef,
  type Def,
  Describe,
  describeMatch,
  dynamicHarness,
  type Ev,
  punctuated,
  seq,
  timedOutTag,
  upsert,
} from './helpers.js';

// For random event streams and 1-3 patterns, one dynamic operator running them all emits, per
// pattern, what CEP.pattern emits for that pattern alone (matches and timeouts).
//
// In jobs, the dynamic operator's event time is the minimum of its two inputs, so it may see the
// watermark move in coarser steps than the single-pattern operator. Matches completed by time
// alone (a trailing notFollowedBy) are stamped with the watermark that completed them, so their
// timestamps are left out of the job comparison; the operator-level property below feeds both
// operators the same watermarks and compares everything, timestamps included.

const POOL: Record<string, Def> = {
  ab: seq('a', 'b'),
  nextAB: {
    stages: [
      { name: 'a', kind: 'a' },
      { name: 'b', kind: 'b', rel: 'next' },
    ],
  },
  abcWithin: { ...seq('a', 'b', 'c'), within: 5 },
  absentC: { ...seq('a', ['c', 'notFollowedBy']), within: 4 },
  twoAThenAnyC: {
    stages: [
      { name: 'a', kind: 'a', times: 2 },
      { name: 'c', kind: 'c', rel: 'followedByAny' },
    ],
  },
  bPlusC: {
    stages: [
      { name: 'b', kind: 'b', oneOrMore: true },
      { name: 'c', kind: 'c' },
    ],
    within: 6,
  },
};

/** The single-pattern counterpart of `Describe`, with the same output format. */
class DescribeSingle extends PatternProcessFunction<Ev, string> implements TimedOutPartialMatchHandler<Ev> {
  constructor(
    private readonly id: string,
    private readonly timedOut: OutputTag<string>,
  ) {
    super();
  }

  processMatch(m: Map<string, Ev[]>, ctx: PatternContext, out: Collector<string>): void {
    out.collect(`${this.id}@v1 ${describeMatch(m)} @${ctx.timestamp()}`);
  }

  processTimedOutMatch(m: Map<string, Ev[]>, ctx: PatternContext): void {
    ctx.output(this.timedOut, `${this.id}@v1 ${describeMatch(m)} timed out @${ctx.timestamp()}`);
  }
}

const eventsArb = fc
  .array(
    fc.record({ key: fc.constantFrom('k1', 'k2'), kind: fc.constantFrom('a', 'b', 'c'), dt: fc.nat(3) }),
    {
      maxLength: 24,
    },
  )
  .map((raw) => {
    let ts = 0;
    return raw.map((r, i): Ev => {
      ts += r.dt;
      return { key: r.key, kind: r.kind, id: `${r.kind}${i}`, ts };
    });
  });

async function run(events: Ev[], ids: string[]): Promise<{ dynamic: string[]; single: string[] }> {
  const env = new StreamExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });
  const keyed = env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(punctuated<Ev>(1))
    .keyBy((e) => e.key);
  const dynamicSink = new CollectSink<string>();
  const singleSink = new CollectSink<string>();
  const updates = env.fromCollection<PatternUpdate<Def>>(ids.map((id) => upsert(id, 1, POOL[id]!)));
  const dynamic = DynamicCEP.patterns(keyed, updates, compileDef).process(new Describe());
  dynamic.sinkTo(dynamicSink);
  dynamic.getSideOutput(timedOutTag).sinkTo(dynamicSink);
  for (const id of ids) {
    const tag = new OutputTag<string>(`timed-out-${id}`);
    const single = CEP.pattern(keyed, compileDef(POOL[id]!)).process(new DescribeSingle(id, tag));
    single.sinkTo(singleSink);
    single.getSideOutput(tag).sinkTo(singleSink);
  }
  await env.execute('dynamic vs single');
  const normalize = (v: string) => (v.startsWith('absentC@') ? v.replace(/ @\S+$/, ' @<watermark>') : v);
  return {
    dynamic: dynamicSink.values.map(normalize).sort(),
    single: singleSink.values.map(normalize).sort(),
  };
}

describe('DynamicCEP vs CEP.pattern', () => {
  it('matches per pattern equal those of each pattern run alone', async () => {
    const seed = Number(process.env.FC_SEED ?? 20261122);
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.subarray(Object.keys(POOL), { minLength: 1, maxLength: 3 }),
        async (events, ids) => {
          const { dynamic, single } = await run(events, ids);
          expect(dynamic).toEqual(single);
        },
      ),
      {
        seed,
        numRuns: 60,
        reporter: (details) => {
          if (details.failed)
            throw new Error(
              `${fc.defaultReportMessage(details)}\n(seed ${seed}; rerun with FC_SEED=${seed})`,
            );
        },
      },
    );
  }, 60_000);

  it('the comparison is not vacuous: a known stream gives matches and timeouts', async () => {
    const events: Ev[] = ['a', 'b', 'b', 'c', 'a'].map((kind, i) => ({
      key: 'k1',
      kind,
      id: `${kind}${i}`,
      ts: i * 2,
    }));
    const { dynamic, single } = await run(events, ['ab', 'abcWithin', 'bPlusC']);
    expect(dynamic).toEqual(single);
    expect(dynamic).toEqual([
      'ab@v1 k1: a0 b1 @2',
      'abcWithin@v1 k1: a0 b1 timed out @5',
      'abcWithin@v1 k1: a4 timed out @13',
      'bPlusC@v1 k1: b1 b2 c3 @6',
      'bPlusC@v1 k1: b1 b2 timed out @8',
      'bPlusC@v1 k1: b1 c3 @6',
      'bPlusC@v1 k1: b2 c3 @6',
      'bPlusC@v1 k1: b2 timed out @10',
    ]);
  });

  it('operator level, same watermarks: identical outputs, timestamps included', async () => {
    const seed = Number(process.env.FC_SEED ?? 20261122);
    const stream = fc.array(
      fc.oneof(
        {
          arbitrary: fc.record({
            key: fc.constantFrom('k1', 'k2'),
            kind: fc.constantFrom('a', 'b', 'c'),
            dt: fc.nat(3),
          }),
          weight: 4,
        },
        { arbitrary: fc.record({ watermarkLag: fc.nat(4) }), weight: 1 },
      ),
      { maxLength: 30 },
    );
    await fc.assert(
      fc.asyncProperty(
        stream,
        fc.subarray(Object.keys(POOL), { minLength: 1, maxLength: 3 }),
        async (steps, ids) => {
          const dynamic = dynamicHarness();
          await dynamic.open();
          for (const id of ids) dynamic.processElement2(upsert(id, 1, POOL[id]!));
          const singles = ids.map((id) => {
            const tag = new OutputTag<string>(`timed-out-${id}`);
            const h = new OperatorTestHarness<string, Ev>(
              () =>
                new CepOperator<Ev, string, string>(new DescribeSingle(id, tag), {
                  compiled: compileNFA(compileDef(POOL[id]!)),
                  keySelector: (e) => e.key,
                  eventTime: true,
                  comparator: undefined,
                  lateDataTag: undefined,
                }),
              { keyed: true },
            );
            return h;
          });
          for (const h of singles) await h.open();
          let ts = 0;
          let wm = Number.NEGATIVE_INFINITY;
          steps.forEach((step, i) => {
            if ('dt' in step) {
              ts += step.dt;
              const e: Ev = { key: step.key, kind: step.kind, id: `${step.kind}${i}`, ts };
              dynamic.processElement1(e, ts);
              for (const h of singles) h.processElement(e, ts);
            } else if (ts - step.watermarkLag > wm) {
              wm = ts - step.watermarkLag;
              dynamic.processWatermark1(wm);
              dynamic.processWatermark2(wm);
              for (const h of singles) h.processWatermark(wm);
            }
          });
          dynamic.processWatermark1(Number.POSITIVE_INFINITY);
          dynamic.processWatermark2(Number.POSITIVE_INFINITY);
          for (const h of singles) h.processWatermark(Number.POSITIVE_INFINITY);
          const outputs = (h: OperatorTestHarness<string, any, any>) =>
            h.events.flatMap((e) =>
              e.kind === 'record'
                ? [`${e.value} ts=${e.timestamp}`]
                : e.kind === 'side'
                  ? [String(e.value)]
                  : [],
            );
          // Per pattern and key, in emission order (the order across keys follows timer order).
          const byKey = (vs: string[]) => {
            const groups = new Map<string, string[]>();
            for (const v of vs) {
              const k = v.slice(0, v.indexOf(':'));
              groups.set(k, [...(groups.get(k) ?? []), v]);
            }
            return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
          };
          const dynamicOut = outputs(dynamic);
          for (let i = 0; i < ids.length; i++) {
            const mine = dynamicOut.filter((v) => v.startsWith(`${ids[i]}@`));
            expect(byKey(mine)).toEqual(byKey(outputs(singles[i]!)));
          }
        },
      ),
      {
        seed,
        numRuns: 200,
        reporter: (details) => {
          if (details.failed)
            throw new Error(
              `${fc.defaultReportMessage(details)}\n(seed ${seed}; rerun with FC_SEED=${seed})`,
            );
        },
      },
    );
  });
});
