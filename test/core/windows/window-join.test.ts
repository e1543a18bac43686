import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  CollectSink,
  type DataStream,
  EventTimeSessionWindows,
  EventTimeTrigger,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TaggedUnion,
  type TimeWindow,
  Trigger,
  type TriggerContext,
  type TriggerResult,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type WindowAssigner,
} from '../../../src/core/index.js';
import { Pushable } from '../../util/pushable.js';
import { waitFor } from '../../util/wait-for.js';

// Window joins and co-groups (`a.join(b)` / `a.coGroup(b)` ... `.window(w)`) in real jobs, against
// nested loops over each window computed from the definitions.

interface Rec {
  readonly id: string;
  readonly k: string;
  readonly ts: number;
  readonly n: number;
}

const DISORDER = 10;

/**
 * Per side, a watermark of `max - DISORDER - 2` after each record: windows fire during the run,
 * nothing is late, and no record can touch a session that already fired.
 */
function punctuated(): WatermarkStrategy<Rec> {
  return WatermarkStrategy.forGenerator<Rec>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        out.emitWatermark(max - DISORDER - 2);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: Rec) => e.ts);
}

/** Random records of one side, timestamps out of order by at most DISORDER. */
function sideArb(prefix: string): fc.Arbitrary<Rec[]> {
  return fc
    .array(
      fc.record({
        k: fc.constantFrom('x', 'y', 'z'),
        step: fc.integer({ min: 0, max: 8 }),
        back: fc.integer({ min: 0, max: DISORDER }),
        n: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 30 },
    )
    .map((raw) => {
      let clock = 0;
      return raw.map(({ k, step, back, n }, i): Rec => {
        clock += step;
        return { id: `${prefix}${i}`, k, ts: Math.max(0, clock - back), n };
      });
    });
}

type Shape =
  | { kind: 'tumbling'; size: number }
  | { kind: 'sliding'; size: number; slide: number }
  | { kind: 'session'; gap: number };

const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  fc.integer({ min: 1, max: 30 }).map((size): Shape => ({ kind: 'tumbling', size })),
  fc
    .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }))
    .map(([slide, n]): Shape => ({ kind: 'sliding', size: slide * n, slide })),
  fc.integer({ min: 1, max: 20 }).map((gap): Shape => ({ kind: 'session', gap })),
);

function assigner(shape: Shape): WindowAssigner<any, TimeWindow> {
  switch (shape.kind) {
    case 'tumbling':
      return TumblingEventTimeWindows.of(shape.size);
    case 'sliding':
      return SlidingEventTimeWindows.of(shape.size, shape.slide);
    case 'session':
      return EventTimeSessionWindows.withGap(shape.gap);
  }
}

interface KeyWindow {
  readonly key: string;
  readonly end: number;
  readonly a: Rec[];
  readonly b: Rec[];
}

/** Every (key, window) with the records of each side in it, from the window definitions. */
function keyWindows(as: readonly Rec[], bs: readonly Rec[], shape: Shape): KeyWindow[] {
  const tagged = [
    ...as.map((r) => ({ r, side: 'a' as const })),
    ...bs.map((r) => ({ r, side: 'b' as const })),
  ];
  const out: KeyWindow[] = [];
  if (shape.kind === 'session') {
    for (const key of ['x', 'y', 'z']) {
      const mine = tagged.filter((t) => t.r.k === key).sort((p, q) => p.r.ts - q.r.ts);
      let cur: { end: number; a: Rec[]; b: Rec[] } | undefined;
      for (const t of mine) {
        if (!cur || t.r.ts > cur.end) {
          if (cur) out.push({ key, ...cur });
          cur = { end: t.r.ts + shape.gap, a: [], b: [] };
        }
        cur.end = Math.max(cur.end, t.r.ts + shape.gap);
        cur[t.side].push(t.r);
      }
      if (cur) out.push({ key, ...cur });
    }
    return out;
  }
  const size = shape.size;
  const slide = shape.kind === 'sliding' ? shape.slide : size;
  const m = new Map<string, KeyWindow>();
  for (const t of tagged) {
    for (let start = Math.floor(t.r.ts / slide) * slide; start > t.r.ts - size; start -= slide) {
      const id = `${t.r.k}|${start}`;
      let w = m.get(id);
      if (!w) {
        w = { key: t.r.k, end: start + size, a: [], b: [] };
        m.set(id, w);
      }
      w[t.side].push(t.r);
    }
  }
  return [...m.values()];
}

function newEnv(parallelism = 2): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
}

function side(env: StreamExecutionEnvironment, recs: readonly Rec[]): DataStream<Rec> {
  return env.fromCollection(recs).assignTimestampsAndWatermarks(punctuated()).setParallelism(1);
}

/** "value@timestamp" per output record (the timestamp is the window's end - 1). */
async function collectStamped(stream: DataStream<string>): Promise<string[]> {
  const sink = new CollectSink<string>();
  stream.sinkTo(sink);
  await stream.getExecutionEnvironment().execute();
  return sink.records.map((r) => `${r.value}@${r.timestamp}`).sort();
}

describe('window join', () => {
  it('apply joins every pair with equal keys per window (tumbling, sliding, session) like a nested loop', async () => {
    await fc.assert(
      fc.asyncProperty(sideArb('a'), sideArb('b'), shapeArb, async (as, bs, shape) => {
        const env = newEnv();
        const out = await collectStamped(
          side(env, as)
            .join(side(env, bs))
            .where((r: Rec) => r.k)
            .equalTo((r: Rec) => r.k)
            .window(assigner(shape))
            .apply((a: Rec, b: Rec) => `${a.id}-${b.id}`),
        );
        const expected: string[] = [];
        for (const w of keyWindows(as, bs, shape)) {
          for (const a of w.a) for (const b of w.b) expected.push(`${a.id}-${b.id}@${w.end - 1}`);
        }
        expect(out).toEqual(expected.sort());
      }),
      { numRuns: 120 },
    );
  });

  it('keys may be field names, and the join function may be an object', async () => {
    const as: Rec[] = [
      { id: 'a0', k: 'x', ts: 1, n: 1 },
      { id: 'a1', k: 'y', ts: 4, n: 2 },
      { id: 'a2', k: 'x', ts: 12, n: 3 },
    ];
    const bs: Rec[] = [
      { id: 'b0', k: 'x', ts: 3, n: 10 },
      { id: 'b1', k: 'x', ts: 9, n: 20 },
      { id: 'b2', k: 'y', ts: 15, n: 30 },
    ];
    const env = newEnv();
    const out = await collectStamped(
      side(env, as)
        .join(side(env, bs))
        .where('k')
        .equalTo('k')
        .window(TumblingEventTimeWindows.of(10))
        .apply({ join: (a: Rec, b: Rec) => `${a.id}-${b.id}=${a.n + b.n}` }),
    );
    // a2 (window [10,20)) has no x partner there; a1 (y, [0,10)) none either.
    expect(out).toEqual(['a0-b0=11@9', 'a0-b1=21@9']);
  });

  it('flatApply emits any number of results per pair', async () => {
    await fc.assert(
      fc.asyncProperty(sideArb('a'), sideArb('b'), shapeArb, async (as, bs, shape) => {
        const env = newEnv();
        const out = await collectStamped(
          side(env, as)
            .join(side(env, bs))
            .where((r: Rec) => r.k)
            .equalTo((r: Rec) => r.k)
            .window(assigner(shape))
            .flatApply((a: Rec, b: Rec, o: Collector<string>) => {
              // 0, 1 or 2 results per pair.
              for (let i = 0; i < (a.n + b.n) % 3; i++) o.collect(`${a.id}-${b.id}#${i}`);
            }),
        );
        const expected: string[] = [];
        for (const w of keyWindows(as, bs, shape)) {
          for (const a of w.a) {
            for (const b of w.b)
              for (let i = 0; i < (a.n + b.n) % 3; i++) expected.push(`${a.id}-${b.id}#${i}@${w.end - 1}`);
          }
        }
        expect(out).toEqual(expected.sort());
      }),
      { numRuns: 60 },
    );
  });
});

describe('window coGroup', () => {
  it('implements a left outer join: left records without a partner are emitted with null', async () => {
    await fc.assert(
      fc.asyncProperty(sideArb('a'), sideArb('b'), shapeArb, async (as, bs, shape) => {
        const env = newEnv();
        const out = await collectStamped(
          side(env, as)
            .coGroup(side(env, bs))
            .where((r: Rec) => r.k)
            .equalTo((r: Rec) => r.k)
            .window(assigner(shape))
            .apply((left: Rec[], right: Rec[], o: Collector<string>) => {
              for (const a of left) {
                if (right.length === 0) o.collect(`${a.id}-null`);
                for (const b of right) o.collect(`${a.id}-${b.id}`);
              }
            }),
        );
        const expected: string[] = [];
        for (const w of keyWindows(as, bs, shape)) {
          for (const a of w.a) {
            if (w.b.length === 0) expected.push(`${a.id}-null@${w.end - 1}`);
            for (const b of w.b) expected.push(`${a.id}-${b.id}@${w.end - 1}`);
          }
        }
        expect(out).toEqual(expected.sort());
      }),
      { numRuns: 80 },
    );
  });

  it('calls the function once per key and window, with either side possibly empty (object form)', async () => {
    const as: Rec[] = [
      { id: 'a0', k: 'x', ts: 1, n: 0 },
      { id: 'a1', k: 'y', ts: 2, n: 0 },
    ];
    const bs: Rec[] = [
      { id: 'b0', k: 'x', ts: 5, n: 0 },
      { id: 'b1', k: 'z', ts: 6, n: 0 },
      { id: 'b2', k: 'x', ts: 7, n: 0 },
    ];
    const env = newEnv();
    const out = await collectStamped(
      side(env, as)
        .coGroup(side(env, bs))
        .where('k')
        .equalTo('k')
        .window(TumblingEventTimeWindows.of(10))
        .apply({
          coGroup(left: Rec[], right: Rec[], o: Collector<string>): void {
            const key = (left[0] ?? right[0])!.k;
            o.collect(`${key}: [${left.map((r) => r.id)}] [${right.map((r) => r.id)}]`);
          },
        }),
    );
    expect(out).toEqual(['x: [a0] [b0,b2]@9', 'y: [a1] []@9', 'z: [] [b1]@9']);
  });
});

// The watermark a window join sees is the minimum of both inputs'. Records go through Pushable
// sources; watermarks come from marker records (filtered out before the join). A trigger that logs
// each element with the operator's current watermark shows what reached the window operator.

interface Mark {
  readonly wm: number;
}

type Item = Rec | Mark;

const isMark = (i: Item): i is Mark => 'wm' in i;

const markers = WatermarkStrategy.forGenerator<Item>(() => ({
  onEvent: (item, _ts, out) => {
    if (isMark(item)) out.emitWatermark(item.wm);
  },
  onPeriodicEmit: () => {},
})).withTimestampAssigner((i: Item) => (isMark(i) ? i.wm : i.ts));

const seen: Array<{ id: string; wm: number }> = [];

/** The default event-time trigger, logging every element the window operator receives. */
class LoggingTrigger extends Trigger<TaggedUnion<Rec, Rec>, TimeWindow> {
  private readonly inner = EventTimeTrigger.create<TaggedUnion<Rec, Rec>, TimeWindow>();

  onElement(el: TaggedUnion<Rec, Rec>, ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    seen.push({ id: (el.side === 1 ? el.one : el.two)!.id, wm: ctx.getCurrentWatermark() });
    return this.inner.onElement(el, ts, w, ctx);
  }

  onEventTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return this.inner.onEventTime(time, w, ctx);
  }

  onProcessingTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return this.inner.onProcessingTime(time, w, ctx);
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    this.inner.clear(w, ctx);
  }
}

describe('window join watermarks', () => {
  it.each(['left', 'right'] as const)(
    'the slower (%s) input holds the join windows back',
    async (slowSide) => {
      seen.length = 0;
      const env = newEnv(1);
      const fastIn = new Pushable<Item>();
      const slowIn = new Pushable<Item>();
      const stream = (p: Pushable<Item>) =>
        env
          .fromAsyncIterable(() => p)
          .assignTimestampsAndWatermarks(markers)
          .filter((i): boolean => !isMark(i))
          .map((i) => i as Rec);
      const [left, right] = slowSide === 'left' ? [slowIn, fastIn] : [fastIn, slowIn];
      const sink = new CollectSink<string>();
      stream(left)
        .join(stream(right))
        .where('k')
        .equalTo('k')
        .window(TumblingEventTimeWindows.of(10))
        .trigger(new LoggingTrigger())
        .apply((l: Rec, r: Rec) => `${l.id}-${r.id}`)
        .sinkTo(sink);
      const job = env.execute('join-watermarks');
      const rec = (id: string, ts: number): Rec => ({ id, k: 'x', ts, n: 0 });
      const joined = () => [...sink.values].sort();
      const logged = (id: string) => seen.find((s) => s.id === id);

      // The fast input runs ahead to 24; f2 reaches the window operator after that watermark did.
      fastIn.push(rec('f0', 1), rec('f1', 5), { wm: 24 }, rec('f2', 25));
      slowIn.push(rec('s0', 2));
      await waitFor(
        () => logged('f2') !== undefined && logged('s0') !== undefined,
        'f2 and s0 at the window',
      );
      // The slow input has no watermark yet: [0,10) must not have fired on the fast input's 24.
      expect(joined()).toEqual([]);
      expect(logged('f2')!.wm).toBe(Number.NEGATIVE_INFINITY);

      // The slow input reaches 5: the operator's watermark is min(24, 5) = 5, s1 still joins [0,10).
      slowIn.push({ wm: 5 }, rec('s1', 8));
      await waitFor(() => logged('s1') !== undefined, 's1 at the window');
      expect(logged('s1')!.wm).toBe(5);
      expect(joined()).toEqual([]);

      // The slow input passes the end of [0,10): it fires (and only it; [20,30) waits for 29).
      slowIn.push({ wm: 12 }, rec('s2', 13));
      await waitFor(() => logged('s2') !== undefined, 's2 at the window');
      expect(logged('s2')!.wm).toBe(12);
      const pairs = (l: string[], r: string[]) => l.flatMap((x) => r.map((y) => `${x}-${y}`)).sort();
      const [ls, rs] =
        slowSide === 'left'
          ? [
              ['s0', 's1'],
              ['f0', 'f1'],
            ]
          : [
              ['f0', 'f1'],
              ['s0', 's1'],
            ];
      expect(joined()).toEqual(pairs(ls, rs));

      // [20,30): the slow side brings a partner for f2; the end of input fires it.
      slowIn.push(rec('s3', 27));
      fastIn.end();
      slowIn.end();
      await job;
      const last = slowSide === 'left' ? 's3-f2' : 'f2-s3';
      expect(joined()).toEqual([...pairs(ls, rs), last].sort());
      expect(sink.records.map((r) => r.timestamp)).toEqual([9, 9, 9, 9, 29]);
    },
  );
});
