import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Collector } from '../../../../src/core/api/collector.js';
import { OutputTag } from '../../../../src/core/api/output-tag.js';
import {
  type ProcessJoinContext,
  ProcessJoinFunction,
} from '../../../../src/core/api/process-join-function.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../../src/core/runtime/operator-snapshot-codec.js';
import {
  IntervalJoinOperator,
  type IntervalJoinOptions,
} from '../../../../src/core/runtime/operators/interval-join-operator.js';
import {
  type HarnessEvent,
  OperatorTestHarness,
} from '../../../../src/core/testing/operator-test-harness.js';

interface Ev {
  readonly key: string;
  readonly id: string;
}

interface Pair {
  readonly pair: string;
  readonly left: number;
  readonly right: number;
  readonly at: number;
}

const pairsTag = new OutputTag<string>('pairs');

/** Emits every pair with the timestamps the context reports, and mirrors it to a side output. */
class Pairs extends ProcessJoinFunction<Ev, Ev, Pair> {
  processElement(left: Ev, right: Ev, ctx: ProcessJoinContext, out: Collector<Pair>): void {
    const pair = `${left.id}|${right.id}`;
    out.collect({
      pair,
      left: ctx.getLeftTimestamp(),
      right: ctx.getRightTimestamp(),
      at: ctx.getTimestamp(),
    });
    ctx.output(pairsTag, pair);
  }
}

type Bounds = Omit<IntervalJoinOptions<Ev, Ev, string>, 'keySelector1' | 'keySelector2'>;

function factory(bounds: Bounds): () => IntervalJoinOperator<string, Ev, Ev, Pair> {
  return () =>
    new IntervalJoinOperator<string, Ev, Ev, Pair>(new Pairs(), {
      ...bounds,
      keySelector1: (e) => e.key,
      keySelector2: (e) => e.key,
    });
}

async function harness(bounds: Bounds): Promise<OperatorTestHarness<Pair, Ev, Ev>> {
  const h = new OperatorTestHarness<Pair, Ev, Ev>(factory(bounds), { keyed: true });
  await h.open();
  return h;
}

function watermark(h: OperatorTestHarness<Pair, Ev, Ev>, wm: number): void {
  h.processWatermark1(wm);
  h.processWatermark2(wm);
}

function stateEntries(h: OperatorTestHarness<Pair, Ev, Ev>): number {
  return (h.operator as IntervalJoinOperator<string, Ev, Ev, Pair>).getKeyedStateBackend()!.numEntries();
}

function pairs(h: OperatorTestHarness<Pair, Ev, Ev>): string[] {
  return h
    .extractOutputValues()
    .map((p) => p.pair)
    .sort();
}

/** Joins one left element at 10 with right elements at 5..15 (ids are their timestamps). */
async function matchesAround10(bounds: Bounds): Promise<string[]> {
  const h = await harness(bounds);
  h.processElement1({ key: 'k', id: 'L' }, 10);
  for (let ts = 5; ts <= 15; ts++) h.processElement2({ key: 'k', id: String(ts) }, ts);
  return h.extractOutputValues().map((p) => p.pair);
}

describe('IntervalJoinOperator: matching', () => {
  it('pairs right elements within [l + lower, l + upper], bounds inclusive by default', async () => {
    expect(await matchesAround10({ lowerBound: -1, upperBound: 1 })).toEqual(['L|9', 'L|10', 'L|11']);
  });

  it('moves exclusive bounds inward by one millisecond', async () => {
    const both = { lowerBound: -2, upperBound: 2, lowerBoundInclusive: false, upperBoundInclusive: false };
    expect(await matchesAround10(both)).toEqual(['L|9', 'L|10', 'L|11']);
    expect(await matchesAround10({ lowerBound: -2, upperBound: 2, lowerBoundInclusive: false })).toEqual([
      'L|9',
      'L|10',
      'L|11',
      'L|12',
    ]);
    expect(await matchesAround10({ lowerBound: -2, upperBound: 2, upperBoundInclusive: false })).toEqual([
      'L|8',
      'L|9',
      'L|10',
      'L|11',
    ]);
    // [0, 0] with an exclusive bound is empty, as in Flink (only lower <= upper is checked).
    expect(await matchesAround10({ lowerBound: 0, upperBound: 0, upperBoundInclusive: false })).toEqual([]);
  });

  it('supports intervals entirely before or entirely after the left element', async () => {
    expect(await matchesAround10({ lowerBound: -5, upperBound: -3 })).toEqual(['L|5', 'L|6', 'L|7']);
    expect(await matchesAround10({ lowerBound: 3, upperBound: 4 })).toEqual(['L|13', 'L|14']);
  });

  it('finds the same pairs whichever side arrives first', async () => {
    const h = await harness({ lowerBound: -1, upperBound: 2 });
    for (let ts = 5; ts <= 15; ts++) h.processElement2({ key: 'k', id: String(ts) }, ts);
    h.processElement1({ key: 'k', id: 'L' }, 10);
    expect(pairs(h)).toEqual(['L|10', 'L|11', 'L|12', 'L|9']);
  });

  it('joins only equal keys and every element with the same timestamp', async () => {
    const h = await harness({ lowerBound: 0, upperBound: 0 });
    h.processElement1({ key: 'a', id: 'a1' }, 7);
    h.processElement1({ key: 'a', id: 'a2' }, 7);
    h.processElement1({ key: 'b', id: 'b1' }, 7);
    h.processElement2({ key: 'a', id: 'x' }, 7);
    h.processElement2({ key: 'a', id: 'y' }, 7);
    h.processElement2({ key: 'c', id: 'z' }, 7);
    expect(pairs(h)).toEqual(['a1|x', 'a1|y', 'a2|x', 'a2|y']);
  });

  it('stamps results and their side outputs with the larger timestamp of the pair', async () => {
    const h = await harness({ lowerBound: -10, upperBound: 10 });
    h.processElement1({ key: 'k', id: 'L' }, 20);
    h.processElement2({ key: 'k', id: 'early' }, 14);
    h.processElement2({ key: 'k', id: 'late' }, 27);
    expect(h.events.filter((e) => e.kind !== 'watermark')).toEqual([
      { kind: 'record', value: { pair: 'L|early', left: 20, right: 14, at: 20 }, timestamp: 20 },
      { kind: 'side', tag: 'pairs', value: 'L|early', timestamp: 20 },
      { kind: 'record', value: { pair: 'L|late', left: 20, right: 27, at: 27 }, timestamp: 27 },
      { kind: 'side', tag: 'pairs', value: 'L|late', timestamp: 27 },
    ]);
  });

  it('rejects elements without a timestamp with a clear error', async () => {
    const h = await harness({ lowerBound: 0, upperBound: 1 });
    expect(() => h.processElement1({ key: 'k', id: 'L' })).toThrow(/left element without a timestamp/);
    expect(() => h.processElement2({ key: 'k', id: 'R' })).toThrow(/right element without a timestamp/);
  });

  it('rejects lowerBound > upperBound', () => {
    expect(() => factory({ lowerBound: 2, upperBound: 1 })()).toThrow(/lowerBound <= upperBound/);
  });
});

describe('IntervalJoinOperator: late elements', () => {
  it('drops elements behind the watermark without buffering them', async () => {
    const h = await harness({ lowerBound: -5, upperBound: 5 });
    h.processElement2({ key: 'k', id: 'R' }, 20);
    watermark(h, 10);
    h.processElement1({ key: 'k', id: 'late' }, 9);
    h.processElement1({ key: 'k', id: 'onTime' }, 15);
    expect(pairs(h)).toEqual(['onTime|R']);
    watermark(h, 30);
    expect(stateEntries(h)).toBe(0);
    expect(h.events.filter((e) => e.kind === 'side' && e.tag !== 'pairs')).toEqual([]);
  });

  it('sends late elements of each side to its own side output, with their timestamps', async () => {
    const leftLate = new OutputTag<Ev>('left-late');
    const rightLate = new OutputTag<Ev>('right-late');
    const h = await harness({
      lowerBound: -5,
      upperBound: 5,
      leftLateDataTag: leftLate,
      rightLateDataTag: rightLate,
    });
    watermark(h, 10);
    h.processElement1({ key: 'k', id: 'L' }, 9);
    h.processElement2({ key: 'k', id: 'R' }, 3);
    h.processElement2({ key: 'k', id: 'R10' }, 10); // at the watermark: still on time
    expect(h.events.filter((e) => e.kind === 'side')).toEqual([
      { kind: 'side', tag: 'left-late', value: { key: 'k', id: 'L' }, timestamp: 9 },
      { kind: 'side', tag: 'right-late', value: { key: 'k', id: 'R' }, timestamp: 3 },
    ]);
    expect(stateEntries(h)).toBe(1);
  });

  it('uses the minimum of both inputs’ watermarks', async () => {
    const h = await harness({ lowerBound: 0, upperBound: 0 });
    h.processWatermark1(100);
    h.processWatermark2(10);
    h.processElement1({ key: 'k', id: 'L' }, 50);
    h.processElement2({ key: 'k', id: 'R' }, 50);
    expect(pairs(h)).toEqual(['L|R']);
  });
});

describe('IntervalJoinOperator: state cleanup', () => {
  it('drops a left element once the watermark passes ts + upper and a right one at ts - lower', async () => {
    const h = await harness({ lowerBound: -3, upperBound: 5 });
    h.processElement1({ key: 'k', id: 'L' }, 10);
    h.processElement2({ key: 'k', id: 'R' }, 10);
    expect(stateEntries(h)).toBe(2);
    watermark(h, 12);
    expect(stateEntries(h)).toBe(2);
    watermark(h, 13); // right cleanup: 10 - (-3)
    expect(stateEntries(h)).toBe(1);
    // A right element at 15 is still on time and must still find the left one.
    h.processElement2({ key: 'k', id: 'R15' }, 15);
    expect(pairs(h)).toEqual(['L|R', 'L|R15']);
    watermark(h, 15); // left cleanup at 10 + 5
    expect(stateEntries(h)).toBe(1);
    watermark(h, 18); // R15 at 15 + 3
    expect(stateEntries(h)).toBe(0);
  });

  it('cleans each element up at its own timestamp when the interval lies on the other side', async () => {
    // upper <= 0: left elements can only pair with earlier right ones, which are already there.
    const before = await harness({ lowerBound: -5, upperBound: -2 });
    before.processElement1({ key: 'k', id: 'L' }, 10);
    before.processElement2({ key: 'k', id: 'R' }, 10);
    watermark(before, 10);
    expect(stateEntries(before)).toBe(1); // the right one waits until 15
    watermark(before, 15);
    expect(stateEntries(before)).toBe(0);

    // lower >= 0: right elements can only pair with earlier left ones.
    const after = await harness({ lowerBound: 2, upperBound: 4 });
    after.processElement1({ key: 'k', id: 'L' }, 10);
    after.processElement2({ key: 'k', id: 'R' }, 10);
    watermark(after, 10);
    expect(stateEntries(after)).toBe(1); // the left one waits until 14
    watermark(after, 14);
    expect(stateEntries(after)).toBe(0);
  });

  it('leaves no state behind once the final watermark passed, for many keys', async () => {
    const h = await harness({ lowerBound: -7, upperBound: 3 });
    for (let i = 0; i < 200; i++) {
      h.processElement1({ key: `k${i % 13}`, id: `l${i}` }, i);
      h.processElement2({ key: `k${i % 7}`, id: `r${i}` }, i + 2);
      if (i % 10 === 0) watermark(h, i - 8);
    }
    expect(stateEntries(h)).toBeGreaterThan(0);
    watermark(h, Number.POSITIVE_INFINITY);
    expect(stateEntries(h)).toBe(0);
  });
});

// ---- property: brute force and snapshot/restore ----

type Step =
  | {
      readonly kind: 'element';
      readonly side: 1 | 2;
      readonly key: string;
      readonly id: string;
      readonly ts: number;
    }
  | { readonly kind: 'watermark'; readonly wm: number };

const D = 4;

/**
 * A script of elements of both sides with disorder within `D`, each followed by the watermark a
 * bounded-out-of-orderness generator would emit, plus some deliberately late elements.
 */
const scriptArb = fc
  .array(
    fc.record({
      side: fc.constantFrom<1 | 2>(1, 2),
      key: fc.constantFrom('a', 'b'),
      advance: fc.integer({ min: 0, max: 3 }),
      behind: fc.integer({ min: 0, max: D }),
      late: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
    }),
    { maxLength: 50 },
  )
  .map((raw) => {
    let clock = 0;
    let max = Number.NEGATIVE_INFINITY;
    const steps: Step[] = [];
    raw.forEach(({ side, key, advance, behind, late }, i) => {
      clock += advance;
      // Late ones land behind the current watermark `max - D - 1`, the others within `D` of the clock.
      const ts = late ? max - D - 2 - behind : clock - behind;
      if (!Number.isFinite(ts)) return;
      max = Math.max(max, ts);
      steps.push({ kind: 'element', side, key, id: `${side === 1 ? 'l' : 'r'}${i}`, ts });
      steps.push({ kind: 'watermark', wm: max - D - 1 });
    });
    return steps;
  });

const boundsArb = fc
  .record({
    lowerBound: fc.integer({ min: -6, max: 6 }),
    width: fc.integer({ min: 0, max: 8 }),
    lowerBoundInclusive: fc.boolean(),
    upperBoundInclusive: fc.boolean(),
  })
  .map(({ width, ...b }): Bounds => ({ ...b, upperBound: b.lowerBound + width }));

const leftLate = new OutputTag<Ev>('left-late');
const rightLate = new OutputTag<Ev>('right-late');

function run(h: OperatorTestHarness<Pair, Ev, Ev>, steps: readonly Step[]): void {
  for (const s of steps) {
    if (s.kind === 'watermark') watermark(h, s.wm);
    else if (s.side === 1) h.processElement1({ key: s.key, id: s.id }, s.ts);
    else h.processElement2({ key: s.key, id: s.id }, s.ts);
  }
}

/** Nested-loop join of the elements that were on time when they arrived. */
function bruteForce(steps: readonly Step[], b: Bounds): { pairs: string[]; late: string[] } {
  const lower = b.lowerBound + (b.lowerBoundInclusive === false ? 1 : 0);
  const upper = b.upperBound - (b.upperBoundInclusive === false ? 1 : 0);
  let wm = Number.NEGATIVE_INFINITY;
  const onTime: Extract<Step, { kind: 'element' }>[] = [];
  const late: string[] = [];
  for (const s of steps) {
    if (s.kind === 'watermark') wm = Math.max(wm, s.wm);
    else if (s.ts < wm) late.push(s.id);
    else onTime.push(s);
  }
  const pairs: string[] = [];
  for (const l of onTime.filter((s) => s.side === 1)) {
    for (const r of onTime.filter((s) => s.side === 2)) {
      if (l.key === r.key && r.ts >= l.ts + lower && r.ts <= l.ts + upper) pairs.push(`${l.id}|${r.id}`);
    }
  }
  return { pairs: pairs.sort(), late: late.sort() };
}

describe('IntervalJoinOperator: properties', () => {
  const withLate = (b: Bounds): Bounds => ({ ...b, leftLateDataTag: leftLate, rightLateDataTag: rightLate });

  it('emits exactly the pairs of a nested-loop join and leaves no state after the final watermark', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb, boundsArb, async (steps, bounds) => {
        const h = await harness(withLate(bounds));
        run(h, steps);
        watermark(h, Number.POSITIVE_INFINITY);
        const want = bruteForce(steps, bounds);
        expect(pairs(h)).toEqual(want.pairs);
        const late = [...h.sideOutputValues(leftLate), ...h.sideOutputValues(rightLate)].map((e) => e.id);
        expect(late.sort()).toEqual(want.late);
        for (const p of h.extractOutputValues()) expect(p.at).toBe(Math.max(p.left, p.right));
        expect(stateEntries(h)).toBe(0);
      }),
    );
  });

  it('continues identically after a snapshot and restore at any point', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb, boundsArb, fc.nat(), async (steps, bounds, at) => {
        const cut = steps.length === 0 ? 0 : at % (steps.length + 1);
        const whole = await harness(withLate(bounds));
        run(whole, steps);
        watermark(whole, Number.POSITIVE_INFINITY);

        const first = await harness(withLate(bounds));
        run(first, steps.slice(0, cut));
        const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(first.snapshot()));
        const second = new OperatorTestHarness<Pair, Ev, Ev>(factory(withLate(bounds)), { keyed: true });
        await second.open([snapshot]);
        run(second, steps.slice(cut));
        watermark(second, Number.POSITIVE_INFINITY);

        const resumed: HarnessEvent<Pair>[] = [...first.events, ...second.events];
        expect(resumed).toEqual(whole.events);
        expect(stateEntries(second)).toBe(0);
      }),
    );
  });
});
