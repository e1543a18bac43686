import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedStreamIntervalJoin } from '../../../src/core/api/interval-join.js';
import { type ProcessJoinContext, ProcessJoinFunction } from '../../../src/core/api/process-join-function.js';
import type { TwoInputTransformation } from '../../../src/core/graph/transformation.js';
import {
  BoundedOutOfOrdernessWatermarks,
  type Collector,
  type KeyedStream,
  OperatorTestHarness,
  OutputTag,
  StreamExecutionEnvironment,
  type TwoInputStreamOperator,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import type { IntervalJoinOperator } from '../../../src/core/runtime/operators/interval-join-operator.js';

interface Ev {
  readonly key: string;
  readonly id: string;
  readonly ts: number;
}

interface Joined {
  readonly pair: string;
  readonly at: number;
  readonly left: number;
  readonly right: number;
}

class PairUp extends ProcessJoinFunction<Ev, Ev, Joined> {
  processElement(left: Ev, right: Ev, ctx: ProcessJoinContext, out: Collector<Joined>): void {
    out.collect({
      pair: `${left.id}|${right.id}`,
      at: ctx.getTimestamp(),
      left: ctx.getLeftTimestamp(),
      right: ctx.getRightTimestamp(),
    });
  }
}

/** The bounded-out-of-orderness generator, but emitting after every event instead of periodically. */
function perEventBoundedOutOfOrderness(bound: number): WatermarkStrategy<Ev> {
  return WatermarkStrategy.forGenerator<Ev>(() => {
    const generator = new BoundedOutOfOrdernessWatermarks<Ev>(bound);
    return {
      onEvent: (e, ts, out) => {
        generator.onEvent(e, ts, out);
        generator.onPeriodicEmit(out);
      },
      onPeriodicEmit: (out) => generator.onPeriodicEmit(out),
    };
  });
}

interface Bounds {
  readonly lower: number;
  readonly upper: number;
  readonly lowerExclusive: boolean;
  readonly upperExclusive: boolean;
}

type Watermarks = 'periodic' | 'per-event';

const D = 5;

function keyed(
  env: StreamExecutionEnvironment,
  events: readonly Ev[],
  wm: Watermarks,
): KeyedStream<Ev, string> {
  const strategy =
    wm === 'periodic' ? WatermarkStrategy.forBoundedOutOfOrderness<Ev>(D) : perEventBoundedOutOfOrderness(D);
  return env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(strategy.withTimestampAssigner((e) => e.ts))
    .keyBy((e) => e.key);
}

function intervalJoin(
  env: StreamExecutionEnvironment,
  lefts: readonly Ev[],
  rights: readonly Ev[],
  b: Bounds,
  wm: Watermarks,
  rightFirst = false,
) {
  // The source declared first tends to run first, so this decides which buffer the other side probes.
  const right = rightFirst ? keyed(env, rights, wm) : undefined;
  const left = keyed(env, lefts, wm);
  let joined = new KeyedStreamIntervalJoin(left, right ?? keyed(env, rights, wm)).between(b.lower, b.upper);
  if (b.lowerExclusive) joined = joined.lowerBoundExclusive();
  if (b.upperExclusive) joined = joined.upperBoundExclusive();
  return joined.process(new PairUp());
}

function bruteForce(lefts: readonly Ev[], rights: readonly Ev[], b: Bounds): string[] {
  const out: string[] = [];
  for (const l of lefts) {
    for (const r of rights) {
      const aboveLower = b.lowerExclusive ? r.ts > l.ts + b.lower : r.ts >= l.ts + b.lower;
      const belowUpper = b.upperExclusive ? r.ts < l.ts + b.upper : r.ts <= l.ts + b.upper;
      if (l.key === r.key && aboveLower && belowUpper) out.push(`${l.id}|${r.id}`);
    }
  }
  return out.sort();
}

/**
 * One side's events: a clock moving forward, each event up to `D` behind it, so timestamps are out
 * of order by at most `D` and no event is late for its own side's watermarks.
 */
function sideArb(prefix: string): fc.Arbitrary<Ev[]> {
  return fc
    .array(
      fc.record({
        key: fc.constantFrom('a', 'b'),
        advance: fc.integer({ min: 0, max: 3 }),
        behind: fc.integer({ min: 0, max: D }),
      }),
      { maxLength: 30 },
    )
    .map((raw) => {
      let clock = 0;
      return raw.map(({ key, advance, behind }, i): Ev => {
        clock += advance;
        return { key, id: `${prefix}${i}`, ts: clock - behind };
      });
    });
}

const boundsArb: fc.Arbitrary<Bounds> = fc
  .record({
    lower: fc.integer({ min: -8, max: 8 }),
    width: fc.integer({ min: 0, max: 10 }),
    lowerExclusive: fc.boolean(),
    upperExclusive: fc.boolean(),
  })
  .map(({ lower, width, lowerExclusive, upperExclusive }) => ({
    lower,
    upper: lower + width,
    lowerExclusive,
    upperExclusive,
  }));

describe('KeyedStream interval join in a job', () => {
  it('joins the example of the Flink docs', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    const at = (side: string, ts: number): Ev => ({ key: 'k', id: `${side}${ts}`, ts });
    const orange = [0, 2, 3, 4, 5, 7].map((ts) => at('o', ts));
    const green = [0, 1, 6, 7].map((ts) => at('g', ts));
    const out = await intervalJoin(
      env,
      orange,
      green,
      { lower: -2, upper: 1, lowerExclusive: false, upperExclusive: false },
      'per-event',
    ).executeAndCollect();
    expect(out.map((j) => j.pair).sort()).toEqual(
      ['o0|g0', 'o0|g1', 'o2|g0', 'o2|g1', 'o3|g1', 'o5|g6', 'o7|g6', 'o7|g7'].sort(),
    );
    for (const j of out) expect(j.at).toBe(Math.max(j.left, j.right));
  });

  it('emits exactly the pairs of a nested-loop join of the raw events', async () => {
    await fc.assert(
      fc.asyncProperty(
        sideArb('l'),
        sideArb('r'),
        boundsArb,
        fc.constantFrom<Watermarks>('periodic', 'per-event'),
        fc.constantFrom(1, 3),
        fc.boolean(),
        async (lefts, rights, bounds, wm, parallelism, rightFirst) => {
          // A 1 ms interval lets periodic watermarks also arrive while the sources still emit.
          const env = new StreamExecutionEnvironment({
            parallelism,
            autoWatermarkInterval: wm === 'periodic' ? 1 : 0,
          });
          const out = await intervalJoin(env, lefts, rights, bounds, wm, rightFirst).executeAndCollect();
          expect(out.map((j) => j.pair).sort()).toEqual(bruteForce(lefts, rights, bounds));
          for (const j of out) expect(j.at).toBe(Math.max(j.left, j.right));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('KeyedStreamIntervalJoin builder', () => {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  const left = env.fromElements<Ev>().keyBy((e) => e.key);
  const right = env.fromElements<Ev>().keyBy((e) => e.key);

  it('validates the bounds and the time characteristic', () => {
    const join = () => new KeyedStreamIntervalJoin(left, right);
    expect(() => join().between(3, 2)).toThrow(/lowerBound <= upperBound/);
    expect(() => join().between(0.5, 2)).toThrow(/integer/);
    expect(() => join().between(0, Number.POSITIVE_INFINITY)).toThrow(/integer/);
    expect(() => join().inProcessingTime().between(0, 1)).toThrow(/event time/);
    expect(() => join().inProcessingTime().inEventTime().between(0, 1)).not.toThrow();
  });

  it('builds a keyed two-input operator with the shifted bounds, key selectors and late-data tags', async () => {
    const leftLate = new OutputTag<Ev>('left-late');
    const rightLate = new OutputTag<Ev>('right-late');
    const stream = new KeyedStreamIntervalJoin(left, right)
      .between(-3, 3)
      .lowerBoundExclusive()
      .upperBoundExclusive()
      .sideOutputLeftLateData(leftLate)
      .sideOutputRightLateData(rightLate)
      .process(new PairUp());
    const t = stream.getTransformation() as TwoInputTransformation<Ev, Ev, Joined>;
    expect(t.name).toBe('Interval Join');
    expect(t.stateKeySelector1).toBe(left.getKeySelector());
    expect(t.stateKeySelector2).toBe(right.getKeySelector());

    const h = new OperatorTestHarness<Joined, Ev, Ev>(t.operatorFactory, { keyed: true });
    const op = h.operator as IntervalJoinOperator<string, Ev, Ev, Joined> &
      TwoInputStreamOperator<Ev, Ev, Joined>;
    expect([op.lowerBound, op.upperBound]).toEqual([-2, 2]);
    await h.open();
    h.processWatermark1(10);
    h.processWatermark2(10);
    h.processElement1({ key: 'k', id: 'L', ts: 9 }, 9);
    h.processElement2({ key: 'k', id: 'R', ts: 8 }, 8);
    expect(h.sideOutputValues(leftLate).map((e) => e.id)).toEqual(['L']);
    expect(h.sideOutputValues(rightLate).map((e) => e.id)).toEqual(['R']);
  });
});
