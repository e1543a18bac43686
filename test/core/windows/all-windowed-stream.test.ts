import { describe, expect, it } from 'vitest';
import {
  type AggregateFunction,
  type Collector,
  CollectSink,
  type DataStream,
  type GlobalWindow,
  ProcessAllWindowFunction,
  type ProcessWindowContext,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';

// windowAll / countWindowAll in real jobs: one window operator (parallelism 1) sees the whole stream.

interface Ev {
  readonly id: number;
  readonly ts: number;
  readonly v: number;
}

const DISORDER = 12;

function makeEvents(seed: number, n: number): Ev[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((s / 2 ** 31) * k);
  };
  let clock = 0;
  const out: Ev[] = [];
  for (let id = 0; id < n; id++) {
    clock += rnd(5);
    out.push({ id, ts: Math.max(0, clock - rnd(DISORDER + 1)), v: 1 + rnd(20) });
  }
  return out;
}

/** Per instance, `max - DISORDER - 2` after every event: windows fire during the run, nothing is late. */
const punctuated = WatermarkStrategy.forGenerator<Ev>(() => {
  let max = Number.NEGATIVE_INFINITY;
  return {
    onEvent: (_e, ts, out) => {
      max = Math.max(max, ts);
      out.emitWatermark(max - DISORDER - 2);
    },
    onPeriodicEmit: () => {},
  };
}).withTimestampAssigner((e: Ev) => e.ts);

const EVENTS = makeEvents(3, 400);

/** The events spread over 4 parallel instances (rebalanced), stamped and watermarked there. */
function parallelSource(env: StreamExecutionEnvironment, events: readonly Ev[]): DataStream<Ev> {
  return env
    .fromCollection(events)
    .map((e) => e)
    .name('spread')
    .assignTimestampsAndWatermarks(punctuated);
}

/** Windows of `size` every `slide` over all events, from the definition. */
function windows(events: readonly Ev[], size: number, slide = size): Map<number, Ev[]> {
  const m = new Map<number, Ev[]>();
  for (const e of events) {
    for (let start = Math.floor(e.ts / slide) * slide; start > e.ts - size; start -= slide) {
      m.set(start, [...(m.get(start) ?? []), e]);
    }
  }
  return m;
}

const ids = (els: Iterable<Ev>): string =>
  [...els]
    .map((e) => e.id)
    .sort((x, y) => x - y)
    .join(',');
const sumV = (els: readonly Ev[]): number => els.reduce((s, e) => s + e.v, 0);
/** Reducer: the first element with the summed value. */
const addV = (a: Ev, b: Ev): Ev => ({ ...a, v: a.v + b.v });

// Module level: function objects are copied per parallel instance.
const opened: string[] = [];

class DescribeAll extends ProcessAllWindowFunction<Ev, string, TimeWindow> {
  private readonly firings = new ValueStateDescriptor<number>('firings');

  override open(): void {
    const rc = this.getRuntimeContext();
    opened.push(`${rc.getIndexOfThisSubtask()}/${rc.getNumberOfParallelSubtasks()}`);
  }

  process(ctx: ProcessWindowContext<TimeWindow>, els: Iterable<Ev>, out: Collector<string>): void {
    const all = [...els];
    // Global state of windowAll spans all windows of the stream.
    const n = ctx.globalState().getState(this.firings);
    n.update((n.value() ?? 0) + 1);
    out.collect(`[${ctx.window().start},${ctx.window().end}) sum=${sumV(all)} ids=${ids(all)} #${n.value()}`);
  }
}

describe('windowAll', () => {
  it('tumbling event-time windows over a parallelism-4 stream run in one instance and see everything', async () => {
    opened.length = 0;
    const env = new StreamExecutionEnvironment({ parallelism: 4, autoWatermarkInterval: 0 });
    const sink = new CollectSink<string>();
    parallelSource(env, EVENTS)
      .windowAll(TumblingEventTimeWindows.of(25))
      .process(new DescribeAll())
      .sinkTo(sink)
      .setParallelism(1); // chained to the window operator: the sink sees its firing order

    const graph = env.getJobGraph();
    const parallelismOf = (name: string) =>
      graph.vertices.filter((v) => v.nodes.some((n) => n.name.includes(name))).map((v) => v.parallelism);
    expect(parallelismOf('spread')).toEqual([4]);
    expect(parallelismOf('Window(')).toEqual([1]);
    expect(graph.vertices.find((v) => v.nodes.some((n) => n.name.includes('Window(')))!.nodes).toHaveLength(
      2,
    );

    await env.execute();
    expect(opened).toEqual(['0/1']);
    // One instance fires the windows in event-time order; its global state counts all firings.
    const expected = [...windows(EVENTS, 25)]
      .sort((x, y) => x[0] - y[0])
      .map(([start, els], i) => `[${start},${start + 25}) sum=${sumV(els)} ids=${ids(els)} #${i + 1}`);
    expect(sink.values).toEqual(expected);
    expect(sink.records.map((r) => r.timestamp)).toEqual(
      [...windows(EVENTS, 25).keys()].sort((x, y) => x - y).map((start) => start + 24),
    );
  });

  it('sliding windows with reduce, aggregate, an AllWindowFunction and sum', async () => {
    const run = async <R>(
      build: (s: DataStream<Ev>) => DataStream<R>,
    ): Promise<Array<[number | null, R]>> => {
      const env = new StreamExecutionEnvironment({ parallelism: 4, autoWatermarkInterval: 0 });
      const sink = new CollectSink<R>();
      build(parallelSource(env, EVENTS)).sinkTo(sink);
      await env.execute();
      return sink.records.map((r) => [r.timestamp, r.value]);
    };
    const byWindow = windows(EVENTS, 30, 10);
    const show = (xs: Array<[number | null, unknown]>) =>
      xs.map(([t, v]) => `${t} ${JSON.stringify(v)}`).sort();

    const reduced = await run((s) => s.windowAll(SlidingEventTimeWindows.of(30, 10)).reduce(addV));
    expect(reduced.map(([t, e]) => `${t} ${e.v}`).sort()).toEqual(
      [...byWindow].map(([start, els]) => `${start + 29} ${sumV(els)}`).sort(),
    );

    const count: AggregateFunction<Ev, number, number> = {
      createAccumulator: () => 0,
      add: (_e, acc) => acc + 1,
      getResult: (acc) => acc,
      merge: (a, b) => a + b,
    };
    const counted = await run((s) => s.windowAll(SlidingEventTimeWindows.of(30, 10)).aggregate(count));
    expect(show(counted)).toEqual(show([...byWindow].map(([start, els]) => [start + 29, els.length])));

    const applied = await run((s) =>
      s
        .windowAll(SlidingEventTimeWindows.of(30, 10))
        .apply((w: TimeWindow, els: Iterable<Ev>, out: Collector<string>) =>
          out.collect(`${w.start}:${ids(els)}`),
        ),
    );
    expect(show(applied)).toEqual(
      show([...byWindow].map(([start, els]) => [start + 29, `${start}:${ids(els)}`])),
    );

    // sum keeps the other fields of the window's first element: compare the sums only.
    const summed = await run((s) => s.windowAll(SlidingEventTimeWindows.of(30, 10)).sum('v'));
    expect(summed.map(([t, e]) => `${t} ${e.v}`).sort()).toEqual(
      [...byWindow].map(([start, els]) => `${start + 29} ${sumV(els)}`).sort(),
    );
  });
});

describe('countWindowAll', () => {
  const ALL = makeEvents(9, 103);

  class Ids extends ProcessAllWindowFunction<Ev, string, GlobalWindow> {
    process(_ctx: ProcessWindowContext<GlobalWindow>, els: Iterable<Ev>, out: Collector<string>): void {
      out.collect([...els].map((e) => e.id).join(','));
    }
  }

  /** Runs with the sink at parallelism 1 (chained to the window operator), so its order is the firing order. */
  async function inOrder<R>(stream: DataStream<R>): Promise<R[]> {
    const sink = new CollectSink<R>();
    stream.sinkTo(sink).setParallelism(1);
    await stream.getExecutionEnvironment().execute();
    return sink.values;
  }

  it('countWindowAll(n) fires every n elements of the whole stream, in arrival order', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 4, autoWatermarkInterval: 0 });
    // The collection source (parallelism 1) feeds the single window instance directly: arrival order is input order.
    const out = await inOrder(env.fromCollection(ALL).countWindowAll(10).process(new Ids()));
    const expected: string[] = [];
    for (let i = 10; i <= ALL.length; i += 10)
      expected.push(
        ALL.slice(i - 10, i)
          .map((e) => e.id)
          .join(','),
      );
    expect(out).toEqual(expected);
  });

  it('countWindowAll(size, slide) emits the last size elements every slide elements', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 4, autoWatermarkInterval: 0 });
    const out = await inOrder(env.fromCollection(ALL).countWindowAll(7, 3).reduce(addV));
    const expected: number[] = [];
    for (let i = 3; i <= ALL.length; i += 3) expected.push(sumV(ALL.slice(Math.max(0, i - 7), i)));
    expect(out.map((e) => e.v)).toEqual(expected);
  });

  it('countWindowAll over a parallel stream: disjoint windows of exactly n elements', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 4, autoWatermarkInterval: 0 });
    const sink = new CollectSink<string>();
    env
      .fromCollection(ALL)
      .map((e) => e)
      .name('spread')
      .countWindowAll(8)
      .process(new Ids())
      .sinkTo(sink);
    const graph = env.getJobGraph();
    const windowVertex = graph.vertices.find((v) => v.nodes.some((n) => n.name.includes('Window(')))!;
    expect(windowVertex.parallelism).toBe(1);
    await env.execute();
    const fired = sink.values.map((l) => l.split(',').map(Number));
    expect(fired).toHaveLength(Math.floor(ALL.length / 8));
    for (const w of fired) expect(w).toHaveLength(8);
    const all = fired.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id).toBeLessThan(ALL.length);
  });
});
