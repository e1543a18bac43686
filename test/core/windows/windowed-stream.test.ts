import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregateFunction,
  type Collector,
  CollectSink,
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  type DataStream,
  EventTimeSessionWindows,
  type GlobalWindow,
  GlobalWindows,
  type ProcessContext,
  ProcessFunction,
  type ProcessWindowContext,
  ProcessWindowFunction,
  PurgingTrigger,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  type TimeWindow,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';

// Real jobs over the WindowedStream API (keyBy(...).window(...)), checked against results computed
// straight from the window definitions.

interface Ev {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

/** How far an element's timestamp may lag behind the largest one before it. */
const DISORDER = 15;

/** Deterministic pseudo-random events: three keys, timestamps mildly out of order (within DISORDER). */
function makeEvents(seed: number, n: number, keys: readonly string[] = ['a', 'b', 'c']): Ev[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((s / 2 ** 31) * k);
  };
  let clock = 0;
  const out: Ev[] = [];
  for (let id = 0; id < n; id++) {
    clock += rnd(6);
    out.push({ id, key: keys[rnd(keys.length)]!, ts: Math.max(0, clock - rnd(DISORDER + 1)), v: 1 + rnd(9) });
  }
  return out;
}

/**
 * Punctuated bounded out-of-orderness: after every event the watermark is `max - DISORDER - 2`,
 * so windows fire during the run, no element is ever late, and no element can touch (and so merge
 * with) a session that already fired.
 */
function punctuated(): WatermarkStrategy<Ev> {
  return WatermarkStrategy.forGenerator<Ev>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        out.emitWatermark(max - DISORDER - 2);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: Ev) => e.ts);
}

function newEnv(parallelism = 2): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
}

/** The events, stamped and watermarked by one source-side instance (so their order is the input order). */
function source(env: StreamExecutionEnvironment, events: readonly Ev[]): DataStream<Ev> {
  return env.fromCollection(events).assignTimestampsAndWatermarks(punctuated()).setParallelism(1);
}

interface Group {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  /** The window's elements in input order (which is each key's arrival order). */
  readonly els: Ev[];
}

/** Time windows of `size` every `slide` per key, from the definition. */
function timeWindows(events: readonly Ev[], size: number, slide = size): Group[] {
  const m = new Map<string, Group>();
  for (const e of events) {
    for (let start = Math.floor(e.ts / slide) * slide; start > e.ts - size; start -= slide) {
      const id = `${e.key}|${start}`;
      let g = m.get(id);
      if (!g) {
        g = { key: e.key, start, end: start + size, els: [] };
        m.set(id, g);
      }
      g.els.push(e);
    }
  }
  return [...m.values()];
}

/** Session windows per key: `[ts, ts + gap(e))` per element, overlapping or touching ones merged. */
function sessions(events: readonly Ev[], gap: (e: Ev) => number): Group[] {
  const out: Group[] = [];
  const keys = [...new Set(events.map((e) => e.key))];
  for (const key of keys) {
    const evs = events.filter((e) => e.key === key).sort((x, y) => x.ts - y.ts);
    let cur: { start: number; end: number; els: Ev[] } | undefined;
    for (const e of evs) {
      if (cur && e.ts <= cur.end) {
        cur.end = Math.max(cur.end, e.ts + gap(e));
        cur.els.push(e);
      } else {
        if (cur) out.push({ key, ...cur });
        cur = { start: e.ts, end: e.ts + gap(e), els: [e] };
      }
    }
    if (cur) out.push({ key, ...cur });
  }
  return out;
}

const sumV = (els: readonly Ev[]): number => els.reduce((s, e) => s + e.v, 0);
const ids = (els: Iterable<Ev>): string =>
  [...els]
    .map((e) => e.id)
    .sort((x, y) => x - y)
    .join(',');
const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const addV = (a: Ev, b: Ev): Ev => ({ ...a, v: a.v + b.v });

async function collectRecords<T>(
  stream: DataStream<T>,
): Promise<Array<{ value: T; timestamp: number | null }>> {
  const sink = new CollectSink<T>();
  stream.sinkTo(sink);
  await stream.getExecutionEnvironment().execute();
  return sink.records.map(({ value, timestamp }) => ({ value, timestamp }));
}

/** "key [start,end) ids" for every firing: the elements a window function saw. */
class ListIds extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${ids(els)}`);
  }
}

class ListIdsGlobal extends ProcessWindowFunction<Ev, string, string, GlobalWindow> {
  process(
    key: string,
    _ctx: ProcessWindowContext<GlobalWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    out.collect(`${key} ${ids(els)}`);
  }
}

const EVENTS = makeEvents(11, 300);

describe('WindowedStream reduce and aggregate', () => {
  it('reduce emits one pre-aggregated value per key and window, stamped with the window end - 1', async () => {
    const records = await collectRecords(
      source(newEnv(), EVENTS)
        .keyBy((e) => e.key)
        .window(TumblingEventTimeWindows.of(20))
        .reduce(addV),
    );
    const got = records.map((r) => `${r.value.key}@${r.timestamp} v=${r.value.v}`);
    const expected = timeWindows(EVENTS, 20).map((g) => `${g.key}@${g.end - 1} v=${sumV(g.els)}`);
    expect(sorted(got)).toEqual(sorted(expected));
    expect(got.length).toBeGreaterThan(20);
  });

  it('reduce + ProcessWindowFunction: the function gets exactly the one reduced value and the window', async () => {
    class OneValue extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(
        key: string,
        ctx: ProcessWindowContext<TimeWindow>,
        els: Iterable<Ev>,
        out: Collector<string>,
      ): void {
        const all = [...els];
        const w = ctx.window();
        // The default event-time trigger fires once the watermark reached the window's last timestamp.
        const watermarkPassed = ctx.currentWatermark() >= w.maxTimestamp();
        out.collect(`${key} [${w.start},${w.end}) n=${all.length} v=${all[0]!.v} wm=${watermarkPassed}`);
      }
    }
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(30, 10))
      .reduce(addV, new OneValue())
      .executeAndCollect();
    const expected = timeWindows(EVENTS, 30, 10).map(
      (g) => `${g.key} [${g.start},${g.end}) n=1 v=${sumV(g.els)} wm=true`,
    );
    expect(sorted(out)).toEqual(sorted(expected));
  });

  const average: AggregateFunction<Ev, { sum: number; count: number }, number> = {
    createAccumulator: () => ({ sum: 0, count: 0 }),
    add: (e, acc) => ({ sum: acc.sum + e.v, count: acc.count + 1 }),
    getResult: (acc) => acc.sum / acc.count,
    merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
  };

  it('aggregate computes an average per key and window', async () => {
    const records = await collectRecords(
      source(newEnv(), EVENTS)
        .keyBy((e) => e.key)
        .window(TumblingEventTimeWindows.of(25))
        .aggregate(average),
    );
    const got = records.map((r) => `${r.timestamp} ${r.value}`);
    const expected = timeWindows(EVENTS, 25).map((g) => `${g.end - 1} ${sumV(g.els) / g.els.length}`);
    expect(sorted(got)).toEqual(sorted(expected));
  });

  it('aggregate + ProcessWindowFunction labels each average with its key and window', async () => {
    class Label extends ProcessWindowFunction<number, string, string, TimeWindow> {
      process(
        key: string,
        ctx: ProcessWindowContext<TimeWindow>,
        avgs: Iterable<number>,
        out: Collector<string>,
      ): void {
        const all = [...avgs];
        out.collect(`${key} [${ctx.window().start},${ctx.window().end}) n=${all.length} avg=${all[0]}`);
      }
    }
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(40, 15))
      .aggregate(average, new Label())
      .executeAndCollect();
    const expected = timeWindows(EVENTS, 40, 15).map(
      (g) => `${g.key} [${g.start},${g.end}) n=1 avg=${sumV(g.els) / g.els.length}`,
    );
    expect(sorted(out)).toEqual(sorted(expected));
  });

  it('aggregate over dynamic-gap session windows merges accumulators of merged sessions', async () => {
    const gap = (e: Ev): number => 3 + ((e.id * 7) % 11);
    class Label extends ProcessWindowFunction<number, string, string, TimeWindow> {
      process(
        key: string,
        ctx: ProcessWindowContext<TimeWindow>,
        avgs: Iterable<number>,
        out: Collector<string>,
      ) {
        out.collect(`${key} [${ctx.window().start},${ctx.window().end}) avg=${[...avgs].join('|')}`);
      }
    }
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(EventTimeSessionWindows.withDynamicGap<Ev>(gap))
      .aggregate(average, new Label())
      .executeAndCollect();
    const expected = sessions(EVENTS, gap).map(
      (g) => `${g.key} [${g.start},${g.end}) avg=${sumV(g.els) / g.els.length}`,
    );
    expect(sorted(out)).toEqual(sorted(expected));
  });
});

describe('WindowedStream process and apply', () => {
  it('process sees all elements of each window', async () => {
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(20, 5))
      .process(new ListIds())
      .executeAndCollect();
    const expected = timeWindows(EVENTS, 20, 5).map((g) => `${g.key} [${g.start},${g.end}) ${ids(g.els)}`);
    expect(sorted(out)).toEqual(sorted(expected));
  });

  it('apply takes a WindowFunction lambda or an object with apply()', async () => {
    const expected = (tag: string) =>
      timeWindows(EVENTS, 20).map(
        (g) => `${tag} ${g.key} [${g.start},${g.end}) ${ids(g.els)} sum=${sumV(g.els)}`,
      );

    const lambda = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(20))
      .apply<string>((key, w, els, out) => {
        out.collect(`fn ${key} [${w.start},${w.end}) ${ids(els)} sum=${sumV([...els])}`);
      })
      .executeAndCollect();
    expect(sorted(lambda)).toEqual(sorted(expected('fn')));

    const object = {
      tag: 'obj',
      apply(key: string, w: TimeWindow, els: Iterable<Ev>, out: Collector<string>): void {
        out.collect(`${this.tag} ${key} [${w.start},${w.end}) ${ids(els)} sum=${sumV([...els])}`);
      },
    };
    const viaObject = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(20))
      .apply(object)
      .executeAndCollect();
    expect(sorted(viaObject)).toEqual(sorted(expected('obj')));
  });

  it('sum/min/max keep the first record of the window; minBy/maxBy return the extreme record', async () => {
    const run = async (
      pick: (w: ReturnType<typeof windowed>) => DataStream<Ev>,
    ): Promise<Array<{ value: Ev; timestamp: number | null }>> => collectRecords(pick(windowed(newEnv())));
    const windowed = (env: StreamExecutionEnvironment) =>
      source(env, EVENTS)
        .keyBy((e) => e.key)
        .window(TumblingEventTimeWindows.of(20));
    const groups = timeWindows(EVENTS, 20);
    const show = (rs: Array<{ value: Ev; timestamp: number | null }>): string[] =>
      sorted(rs.map((r) => `${r.timestamp} ${JSON.stringify(r.value)}`));
    const expect1 = (f: (g: Group) => Ev): string[] =>
      sorted(groups.map((g) => `${g.end - 1} ${JSON.stringify(f(g))}`));
    const vs = (g: Group) => g.els.map((e) => e.v);

    expect(show(await run((w) => w.sum('v')))).toEqual(expect1((g) => ({ ...g.els[0]!, v: sumV(g.els) })));
    expect(show(await run((w) => w.min('v')))).toEqual(
      expect1((g) => ({ ...g.els[0]!, v: Math.min(...vs(g)) })),
    );
    expect(show(await run((w) => w.max('v')))).toEqual(
      expect1((g) => ({ ...g.els[0]!, v: Math.max(...vs(g)) })),
    );
    // minBy: the first element holding the minimum; maxBy(first = false): the last holding the maximum.
    expect(show(await run((w) => w.minBy('v')))).toEqual(
      expect1((g) => g.els.find((e) => e.v === Math.min(...vs(g)))!),
    );
    expect(show(await run((w) => w.maxBy('v', false)))).toEqual(
      expect1((g) => g.els.findLast((e) => e.v === Math.max(...vs(g)))!),
    );
  });
});

describe('count windows', () => {
  const byKey = (events: readonly Ev[], key: string) => events.filter((e) => e.key === key);
  const keysOf = (events: readonly Ev[]) => [...new Set(events.map((e) => e.key))];

  it('countWindow(n) fires every n elements per key and drops the incomplete rest', async () => {
    const events = makeEvents(5, 101);
    const out = await newEnv()
      .fromCollection(events)
      .keyBy((e) => e.key)
      .countWindow(4)
      .process(new ListIdsGlobal())
      .executeAndCollect();
    const expected: string[] = [];
    for (const key of keysOf(events)) {
      const evs = byKey(events, key);
      for (let i = 4; i <= evs.length; i += 4) expected.push(`${key} ${ids(evs.slice(i - 4, i))}`);
    }
    expect(sorted(out)).toEqual(sorted(expected));
    // Per key, firings come in order.
    for (const key of keysOf(events)) {
      expect(out.filter((l) => l.startsWith(`${key} `))).toEqual(
        expected.filter((l) => l.startsWith(`${key} `)),
      );
    }
  });

  it('countWindow(size, slide) emits the last `size` elements every `slide` elements', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.constantFrom('x', 'y'), v: fc.integer({ min: 1, max: 99 }) }), {
          maxLength: 40,
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        async (raw, size, slide) => {
          const events: Ev[] = raw.map((r, id) => ({ id, key: r.key, ts: id, v: r.v }));
          const out = await newEnv()
            .fromCollection(events)
            .keyBy((e) => e.key)
            .countWindow(size, slide)
            .reduce(addV)
            .executeAndCollect();
          const expected: string[] = [];
          for (const key of keysOf(events)) {
            const evs = byKey(events, key);
            for (let i = slide; i <= evs.length; i += slide)
              expected.push(`${key} ${sumV(evs.slice(Math.max(0, i - size), i))}`);
          }
          expect(out.map((e) => `${e.key} ${e.v}`).sort()).toEqual(sorted(expected));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('trigger overrides', () => {
  it('CountTrigger fires event-time windows every n elements and never at the window end', async () => {
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(30))
      .trigger(CountTrigger.of(3))
      .process(new ListIds())
      .executeAndCollect();
    const expected: string[] = [];
    for (const g of timeWindows(EVENTS, 30)) {
      // Not purging: each firing sees everything so far; the incomplete rest is never emitted.
      for (let i = 3; i <= g.els.length; i += 3)
        expected.push(`${g.key} [${g.start},${g.end}) ${ids(g.els.slice(0, i))}`);
    }
    expect(sorted(out)).toEqual(sorted(expected));
  });

  it('PurgingTrigger(CountTrigger) emits disjoint chunks', async () => {
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(30))
      .trigger(PurgingTrigger.of(CountTrigger.of(3)))
      .process(new ListIds())
      .executeAndCollect();
    const expected: string[] = [];
    for (const g of timeWindows(EVENTS, 30)) {
      for (let i = 3; i <= g.els.length; i += 3)
        expected.push(`${g.key} [${g.start},${g.end}) ${ids(g.els.slice(i - 3, i))}`);
    }
    expect(sorted(out)).toEqual(sorted(expected));
  });

  it('ContinuousEventTimeTrigger fires every interval of event time and at the window end', async () => {
    // Watermarks come from marker records (filtered out right after), so firing points are exact.
    type Item = Ev | { readonly wm: number };
    const strategy = WatermarkStrategy.forGenerator<Item>(() => ({
      onEvent: (e, _ts, out) => {
        if ('wm' in e) out.emitWatermark(e.wm);
      },
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e: Item) => ('wm' in e ? e.wm : e.ts));
    const ev = (id: number, ts: number): Ev => ({ id, key: 'a', ts, v: 2 ** id });
    const items: Item[] = [ev(0, 5), ev(1, 20), ev(2, 35), { wm: 34 }, ev(3, 50), ev(4, 95), { wm: 94 }];
    items.push(ev(5, 130), { wm: 129 });
    const out = await newEnv(1)
      .fromCollection(items)
      .assignTimestampsAndWatermarks(strategy)
      .filter((i): boolean => !('wm' in i))
      .map((i) => i as Ev)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(100))
      .trigger(ContinuousEventTimeTrigger.of(30))
      .reduce(addV, (_k: string, w: TimeWindow, els: Iterable<Ev>, o: Collector<string>) => {
        for (const e of els) o.collect(`[${w.start}) ${e.v}`);
      })
      .executeAndCollect();
    expect(out).toEqual([
      // Watermark 34: the first timer, 30 (the first multiple of 30 after 5), sees 1 + 2 + 4.
      '[0) 7',
      // Watermark 94: timer 60, then timer 90 that it registered; both see 1 + ... + 16.
      '[0) 31',
      '[0) 31',
      // Watermark 129: the window end, 99.
      '[0) 31',
      // The end of input: timers 150, 180 and the end 199 of [100, 200).
      '[100) 32',
      '[100) 32',
      '[100) 32',
    ]);
  });
});

describe('evictors', () => {
  it('CountEvictor before the function: reduce and process see only the last n of each window', async () => {
    const reduced = await collectRecords(
      source(newEnv(), EVENTS)
        .keyBy((e) => e.key)
        .window(TumblingEventTimeWindows.of(30))
        .evictor(CountEvictor.of(2))
        .reduce(addV),
    );
    expect(sorted(reduced.map((r) => `${r.value.key}@${r.timestamp} ${r.value.v}`))).toEqual(
      sorted(timeWindows(EVENTS, 30).map((g) => `${g.key}@${g.end - 1} ${sumV(g.els.slice(-2))}`)),
    );

    const processed = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(30))
      .evictor(CountEvictor.of(2))
      .process(new ListIds())
      .executeAndCollect();
    expect(sorted(processed)).toEqual(
      sorted(timeWindows(EVENTS, 30).map((g) => `${g.key} [${g.start},${g.end}) ${ids(g.els.slice(-2))}`)),
    );
  });

  it('TimeEvictor before the function keeps the elements within size of the newest in the window', async () => {
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(40))
      .evictor(TimeEvictor.of(10))
      .process(new ListIds())
      .executeAndCollect();
    const expected = timeWindows(EVENTS, 40).map((g) => {
      const newest = Math.max(...g.els.map((e) => e.ts));
      return `${g.key} [${g.start},${g.end}) ${ids(g.els.filter((e) => e.ts > newest - 10))}`;
    });
    expect(sorted(out)).toEqual(sorted(expected));
  });

  /** Global windows firing every 3 elements, evicting before or after the function (a model of the operator). */
  function simulateEvicting(events: readonly Ev[], evict: (buf: Ev[]) => Ev[], after: boolean): string[] {
    const out: string[] = [];
    for (const key of [...new Set(events.map((e) => e.key))]) {
      let buf: Ev[] = [];
      let count = 0;
      for (const e of events.filter((x) => x.key === key)) {
        buf.push(e);
        if (++count < 3) continue;
        count = 0;
        if (!after) buf = evict(buf);
        out.push(`${key} ${ids(buf)}`);
        if (after) buf = evict(buf);
      }
    }
    return sorted(out);
  }

  const keepLast2 = (buf: Ev[]) => buf.slice(-2);
  const keepRecent = (buf: Ev[]) => {
    const newest = Math.max(...buf.map((e) => e.ts));
    return buf.filter((e) => e.ts > newest - 12);
  };

  it.each([
    ['CountEvictor', false],
    ['CountEvictor', true],
    ['TimeEvictor', false],
    ['TimeEvictor', true],
  ] as const)('%s with doEvictAfter=%s on global windows with a CountTrigger', async (kind, after) => {
    const evictor = kind === 'CountEvictor' ? CountEvictor.of<Ev>(2, after) : TimeEvictor.of<Ev>(12, after);
    const out = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(GlobalWindows.create<Ev>())
      .evictor(evictor)
      .trigger(CountTrigger.of(3))
      .process(new ListIdsGlobal())
      .executeAndCollect();
    const expected = simulateEvicting(EVENTS, kind === 'CountEvictor' ? keepLast2 : keepRecent, after);
    expect(sorted(out)).toEqual(expected);
    // Before and after really differ on this input.
    expect(expected).not.toEqual(
      simulateEvicting(EVENTS, kind === 'CountEvictor' ? keepLast2 : keepRecent, !after),
    );
  });
});

describe('window results downstream', () => {
  /** Appends the record timestamp a downstream ProcessFunction sees. */
  class ReadTimestamp extends ProcessFunction<string, string> {
    processElement(v: string, ctx: ProcessContext, out: Collector<string>): void {
      out.collect(`${v} @${ctx.timestamp()}`);
    }
  }

  it('carry window.maxTimestamp() as their timestamp (sliding and session windows)', async () => {
    const sliding = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(20, 5))
      .process(new ListIds())
      .process(new ReadTimestamp())
      .executeAndCollect();
    expect(sorted(sliding)).toEqual(
      sorted(
        timeWindows(EVENTS, 20, 5).map((g) => `${g.key} [${g.start},${g.end}) ${ids(g.els)} @${g.end - 1}`),
      ),
    );

    const gap = (e: Ev) => 1 + (e.id % 9);
    const session = await source(newEnv(), EVENTS)
      .keyBy((e) => e.key)
      .window(EventTimeSessionWindows.withDynamicGap<Ev>(gap))
      .process(new ListIds())
      .process(new ReadTimestamp())
      .executeAndCollect();
    expect(sorted(session)).toEqual(
      sorted(sessions(EVENTS, gap).map((g) => `${g.key} [${g.start},${g.end}) ${ids(g.els)} @${g.end - 1}`)),
    );
  });
});

// Filled by the rich window function below (module level: function objects are copied per instance).
const lifecycle: string[] = [];
const clears: string[] = [];

describe('rich ProcessWindowFunction', () => {
  it('is opened and closed once per instance; clear() drops per-window state, global state stays', async () => {
    const firings = new ValueStateDescriptor<number>('firings-in-window');
    const keyOfWindow = new ValueStateDescriptor<string>('key-of-window');
    const total = new ValueStateDescriptor<number>('firings-of-key');

    class Counting extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      override open(): void {
        const rc = this.getRuntimeContext();
        lifecycle.push(`open ${rc.getIndexOfThisSubtask()}/${rc.getNumberOfParallelSubtasks()}`);
      }

      override close(): void {
        lifecycle.push(`close ${this.getRuntimeContext().getIndexOfThisSubtask()}`);
      }

      process(
        key: string,
        ctx: ProcessWindowContext<TimeWindow>,
        els: Iterable<Ev>,
        out: Collector<string>,
      ): void {
        const w = ctx.windowState().getState(firings);
        w.update((w.value() ?? 0) + 1);
        ctx.windowState().getState(keyOfWindow).update(key);
        const g = ctx.globalState().getState(total);
        g.update((g.value() ?? 0) + 1);
        out.collect(`${key} ${ctx.window().start} ${ids(els)} window=${w.value()} total=${g.value()}`);
      }

      override clear(ctx: ProcessWindowContext<TimeWindow>): void {
        const w = ctx.windowState().getState(firings);
        const k = ctx.windowState().getState(keyOfWindow);
        const before = `${k.value()} ${ctx.window().start} firings=${w.value()}`;
        w.clear();
        k.clear();
        clears.push(`${before} after=${w.value()}`);
      }
    }

    lifecycle.length = 0;
    clears.length = 0;
    const out = await source(newEnv(2), EVENTS)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(30))
      .trigger(CountTrigger.of(1)) // a firing per element; the window is still cleaned at its end
      .process(new Counting())
      .executeAndCollect();

    // Model: per key in input order, each element fires its window with everything so far.
    const expected: string[] = [];
    const expectedClears: string[] = [];
    for (const key of [...new Set(EVENTS.map((e) => e.key))]) {
      const seen = new Map<number, Ev[]>();
      let n = 0;
      for (const e of EVENTS.filter((x) => x.key === key)) {
        const start = Math.floor(e.ts / 30) * 30;
        const els = [...(seen.get(start) ?? []), e];
        seen.set(start, els);
        expected.push(`${key} ${start} ${ids(els)} window=${els.length} total=${++n}`);
      }
      for (const [start, els] of seen)
        expectedClears.push(`${key} ${start} firings=${els.length} after=undefined`);
    }
    expect(sorted(out)).toEqual(sorted(expected));
    // Each key's firings arrive in order; the global counter runs across windows.
    for (const key of ['a', 'b', 'c']) {
      expect(out.filter((l) => l.startsWith(`${key} `))).toEqual(
        expected.filter((l) => l.startsWith(`${key} `)),
      );
    }
    expect(sorted(clears)).toEqual(sorted(expectedClears));
    expect(sorted(lifecycle)).toEqual(['close 0', 'close 1', 'open 0/2', 'open 1/2']);
    expect(lifecycle.indexOf('open 0/2')).toBeLessThan(lifecycle.indexOf('close 0'));
  });
});

describe('session windows with a dynamic gap', () => {
  it('equal the merged [ts, ts + gap(e)) intervals per key on random streams', async () => {
    const arb = fc
      .array(
        fc.record({
          key: fc.constantFrom('a', 'b'),
          step: fc.integer({ min: 0, max: 12 }),
          back: fc.integer({ min: 0, max: DISORDER }),
          v: fc.integer({ min: 1, max: 9 }),
          gap: fc.integer({ min: 1, max: 15 }),
        }),
        { maxLength: 60 },
      )
      .map((raw) => {
        let clock = 0;
        const gaps = new Map<number, number>();
        const events = raw.map(({ key, step, back, v, gap }, id): Ev => {
          clock += step;
          gaps.set(id, gap);
          return { id, key, ts: Math.max(0, clock - back), v };
        });
        return { events, gaps };
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ events, gaps }) => {
        const gap = (e: Ev) => gaps.get(e.id)!;
        const out = await source(newEnv(), events)
          .keyBy((e) => e.key)
          .window(EventTimeSessionWindows.withDynamicGap<Ev>(gap))
          .process(new ListIds())
          .executeAndCollect();
        expect(sorted(out)).toEqual(
          sorted(sessions(events, gap).map((g) => `${g.key} [${g.start},${g.end}) ${ids(g.els)}`)),
        );
      }),
      { numRuns: 60 },
    );
  });
});
