import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  CollectSink,
  type DataStream,
  FromElementsSource,
  OutputTag,
  type ProcessWindowContext,
  ProcessWindowFunction,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../src/core/index.js';

// Allowed lateness and late data in real jobs. The order of elements and watermarks is decided by
// the test: the input is a collection (read in order by one instance) of events and watermark
// markers; a punctuated generator turns each marker into a watermark, and the markers are filtered
// out before the windows.

interface Ev {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

interface Mark {
  readonly wm: number;
}

type Item = Ev | Mark;

const isMark = (i: Item): i is Mark => 'wm' in i;

const markers = WatermarkStrategy.forGenerator<Item>(() => ({
  onEvent: (item, _ts, out) => {
    if (isMark(item)) out.emitWatermark(item.wm);
  },
  onPeriodicEmit: () => {},
})).withTimestampAssigner((i: Item) => (isMark(i) ? i.wm : i.ts));

function events(env: StreamExecutionEnvironment, items: readonly Item[]): DataStream<Ev> {
  return env
    .fromCollection(items)
    .assignTimestampsAndWatermarks(markers)
    .setParallelism(1)
    .filter((i): boolean => !isMark(i))
    .setParallelism(1)
    .map((i) => i as Ev)
    .setParallelism(1);
}

function newEnv(parallelism = 2): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ parallelism, autoWatermarkInterval: 0 });
}

const ids = (els: Iterable<Ev>): string =>
  [...els]
    .map((e) => e.id)
    .sort((x, y) => x - y)
    .join(',');

/** "key [start,end) sum=… ids=…" per firing. */
class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    const all = [...els];
    const sum = all.reduce((s, e) => s + e.v, 0);
    out.collect(`${key} [${ctx.window().start},${ctx.window().end}) sum=${sum} ids=${ids(all)}`);
  }
}

/** Reducer: the first element with the summed value. */
const addV = (a: Ev, b: Ev): Ev => ({ ...a, v: a.v + b.v });

let nextId = 0;
const ev = (key: string, ts: number, v = 1): Ev => ({ id: nextId++, key, ts, v });
const wm = (w: number): Mark => ({ wm: w });

describe('allowed lateness in a job', () => {
  function tumblingJob(withTag: boolean) {
    nextId = 0;
    const items: Item[] = [
      ev('a', 2, 1), // 0
      ev('a', 7, 2), // 1
      wm(9), // fires a [0,10)
      ev('a', 4, 10), // 2: late, within lateness (cleanup at 9 + 5 = 14): fires again at once
      ev('b', 1, 50), // 3: late, within lateness, first element of b's window: fires at once
      wm(13),
      ev('a', 5, 100), // 4: still within lateness
      wm(14), // cleans up [0,10)
      ev('a', 6, 1000), // 5: beyond lateness: side output (or dropped)
      ev('b', 3, 7), // 6: beyond lateness for a window b never had after cleanup time
      ev('a', 12, 5), // 7: on time for [10,20)
    ];
    const late = new OutputTag<Ev>('late');
    const env = newEnv();
    let windowed = events(env, items)
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(5);
    if (withTag) windowed = windowed.sideOutputLateData(late);
    const main = windowed.reduce(addV, new Describe());
    const mainSink = new CollectSink<string>();
    const lateSink = new CollectSink<Ev>();
    main.sinkTo(mainSink);
    main.getSideOutput(late).sinkTo(lateSink);
    return { env, mainSink, lateSink };
  }

  const expectedMain = [
    'a [0,10) sum=3 ids=0',
    'a [0,10) sum=13 ids=0',
    'b [0,10) sum=50 ids=3',
    'a [0,10) sum=113 ids=0',
    'a [10,20) sum=5 ids=7',
  ];

  it('late elements within the lateness fire updated results; later ones go to the late side output', async () => {
    const { env, mainSink, lateSink } = tumblingJob(true);
    await env.execute();
    // reduce + window function: one pre-reduced value (its first element's id) per firing.
    expect([...mainSink.values].sort()).toEqual([...expectedMain].sort());
    // Per key in firing order; every firing of [0,10) is stamped with its end - 1.
    expect(mainSink.values.filter((l) => l.startsWith('a '))).toEqual(
      expectedMain.filter((l) => l.startsWith('a ')),
    );
    expect(mainSink.records.map((r) => r.timestamp).sort((x, y) => x! - y!)).toEqual([9, 9, 9, 9, 19]);
    // Late elements keep their own timestamps.
    expect(
      lateSink.records.map((r) => `${r.value.key}${r.value.id}@${r.timestamp} v=${r.value.v}`).sort(),
    ).toEqual(['a5@6 v=1000', 'b6@3 v=7']);
  });

  it('without a late tag, data beyond the lateness is dropped and changes nothing', async () => {
    const { env, mainSink, lateSink } = tumblingJob(false);
    await env.execute();
    expect([...mainSink.values].sort()).toEqual([...expectedMain].sort());
    expect(lateSink.values).toEqual([]);
  });

  it('sliding windows: an element late for some of its windows still updates the others', async () => {
    nextId = 0;
    const items: Item[] = [
      ev('a', 12), // 0: [5,15) [10,20)
      ev('a', 3), // 1: [-5,5) [0,10)
      wm(14), // fires and cleans [-5,5) [0,10) [5,15)
      ev('a', 13), // 2: [5,15) is late, [10,20) is not: added there, not a late element
      ev('a', 9), // 3: [0,10) and [5,15) are both late: a late element
      ev('a', 14), // 4: [5,15) late, [10,20) on time
      ev('a', 15), // 5: [10,20) [15,25)
      wm(19), // fires [10,20)
      ev('a', 16), // 6: [10,20) late, [15,25) on time
      ev('a', 10), // 7: [5,15) and [10,20) late
    ];
    const late = new OutputTag<Ev>('late');
    const env = newEnv();
    const main = events(env, items)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(10, 5))
      .sideOutputLateData(late)
      .process(new Describe());
    const lateSink = new CollectSink<Ev>();
    main.getSideOutput(late).sinkTo(lateSink);
    const out = await main.executeAndCollect();
    expect(out).toEqual([
      'a [-5,5) sum=1 ids=1',
      'a [0,10) sum=1 ids=1',
      'a [5,15) sum=1 ids=0',
      'a [10,20) sum=4 ids=0,2,4,5',
      'a [15,25) sum=2 ids=5,6',
    ]);
    expect(lateSink.values.map((e) => e.id)).toEqual([3, 7]);
  });

  it('sliding windows with lateness: late-but-allowed windows fire again, per element', async () => {
    nextId = 0;
    const items: Item[] = [
      ev('a', 12), // 0: [5,15) [10,20)
      wm(16), // fires [5,15); its cleanup is at 14 + 3 = 17
      ev('a', 11), // 1: [5,15) fires again at once; [10,20) just collects
      wm(17), // cleans [5,15)
      ev('a', 13), // 2: [5,15) gone, [10,20) collects
      ev('a', 4), // 3: [-5,5) and [0,10) gone: late
    ];
    const late = new OutputTag<Ev>('late');
    const env = newEnv();
    const main = events(env, items)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(10, 5))
      .allowedLateness(3)
      .sideOutputLateData(late)
      .process(new Describe());
    const lateSink = new CollectSink<Ev>();
    main.getSideOutput(late).sinkTo(lateSink);
    const out = await main.executeAndCollect();
    expect(out).toEqual(['a [5,15) sum=1 ids=0', 'a [5,15) sum=2 ids=0,1', 'a [10,20) sum=3 ids=0,1,2']);
    expect(lateSink.values.map((e) => e.id)).toEqual([3]);
  });
});

/**
 * Flink's window operator run by hand: each element goes to its windows unless a window is past its
 * cleanup time (end - 1 + lateness <= watermark); it fires at once when the watermark is already past
 * the window end, else once the watermark reaches it; an element all of whose windows were skipped is
 * late.
 */
function model(
  items: readonly Item[],
  size: number,
  slide: number,
  lateness: number,
): { fired: string[]; late: number[] } {
  interface W {
    key: string;
    start: number;
    els: Ev[];
    timer: boolean;
  }
  const windows = new Map<string, W>();
  const fired: string[] = [];
  const late: number[] = [];
  const fire = (w: W) => {
    const sum = w.els.reduce((s, e) => s + e.v, 0);
    fired.push(`${w.key} [${w.start},${w.start + size}) sum=${sum} ids=${ids(w.els)}`);
  };
  let watermark = Number.NEGATIVE_INFINITY;
  const advance = (to: number) => {
    if (to <= watermark) return;
    watermark = to;
    for (const [id, w] of windows) {
      const maxTs = w.start + size - 1;
      if (w.timer && maxTs <= watermark) {
        w.timer = false;
        fire(w);
      }
      if (maxTs + lateness <= watermark) windows.delete(id);
    }
  };
  for (const item of items) {
    if (isMark(item)) {
      advance(item.wm);
      continue;
    }
    let added = false;
    for (let start = Math.floor(item.ts / slide) * slide; start > item.ts - size; start -= slide) {
      const maxTs = start + size - 1;
      if (maxTs + lateness <= watermark) continue;
      added = true;
      const id = `${item.key}|${start}`;
      let w = windows.get(id);
      if (!w) {
        w = { key: item.key, start, els: [], timer: false };
        windows.set(id, w);
      }
      w.els.push(item);
      if (maxTs <= watermark) fire(w);
      else w.timer = true;
    }
    if (!added && item.ts + lateness <= watermark) late.push(item.id);
  }
  advance(Number.POSITIVE_INFINITY);
  return { fired: fired.sort(), late: late.sort((x, y) => x - y) };
}

describe('lateness against a model on random streams', () => {
  it('sliding and tumbling windows with random lateness and disorder equal the model', async () => {
    const itemsArb = fc
      .array(
        fc.oneof(
          fc.record({
            key: fc.constantFrom('a', 'b'),
            ts: fc.integer({ min: 0, max: 60 }),
            v: fc.integer({ min: 1, max: 9 }),
          }),
          fc.record({ wm: fc.integer({ min: -5, max: 70 }) }),
        ),
        { maxLength: 50 },
      )
      .map((raw) => raw.map((r, id): Item => ('wm' in r ? { wm: r.wm } : { id, ...r })));
    const shapeArb = fc
      .tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 3 }))
      .map(([slide, n]) => ({ slide, size: slide * n }));
    await fc.assert(
      fc.asyncProperty(
        itemsArb,
        shapeArb,
        fc.integer({ min: 0, max: 12 }),
        async (items, { size, slide }, lateness) => {
          const late = new OutputTag<Ev>('late');
          const env = newEnv();
          const main = events(env, items)
            .keyBy((e) => e.key)
            .window(SlidingEventTimeWindows.of(size, slide))
            .allowedLateness(lateness)
            .sideOutputLateData(late)
            .process(new Describe());
          const lateSink = new CollectSink<Ev>();
          main.getSideOutput(late).sinkTo(lateSink);
          const out = await main.executeAndCollect();
          const expected = model(items, size, slide, lateness);
          expect([...out].sort()).toEqual(expected.fired);
          expect(lateSink.values.map((e) => e.id).sort((x, y) => x - y)).toEqual(expected.late);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('punctuated watermarks and their element', () => {
  // Flink's TimestampsAndWatermarksOperator and SourceOutputWithWatermarks emit the record first and
  // call the generator's onEvent after, so a watermark an element produces follows that element: with
  // the common "watermark = event timestamp" punctuated generator, the element itself is never late.
  const watermarkIsTimestamp = WatermarkStrategy.forGenerator<Ev>(() => ({
    onEvent: (_e, ts, out) => out.emitWatermark(ts),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((e: Ev) => e.ts);

  function run(stream: DataStream<Ev>) {
    const late = new OutputTag<Ev>('late');
    const main = stream
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(10))
      .sideOutputLateData(late)
      .process(new Describe());
    const lateSink = new CollectSink<Ev>();
    main.getSideOutput(late).sinkTo(lateSink);
    return { main, lateSink };
  }

  const input = (): Ev[] => {
    nextId = 0;
    return [ev('a', 3), ev('a', 9), ev('a', 15)];
  };

  it('assignTimestampsAndWatermarks: the element at the window end is in its window, not late', async () => {
    const env = newEnv(1);
    const { main, lateSink } = run(
      env.fromCollection(input()).assignTimestampsAndWatermarks(watermarkIsTimestamp),
    );
    const out = await main.executeAndCollect();
    expect({ out, late: lateSink.values.map((e) => e.id) }).toEqual({
      out: ['a [0,10) sum=2 ids=0,1', 'a [10,20) sum=1 ids=2'],
      late: [],
    });
  });

  it('source watermarks (fromSource with a strategy): the element at the window end is not late', async () => {
    const env = newEnv(1);
    const { main, lateSink } = run(
      env.fromSource(new FromElementsSource(input()), watermarkIsTimestamp, 'events'),
    );
    const out = await main.executeAndCollect();
    expect({ out, late: lateSink.values.map((e) => e.id) }).toEqual({
      out: ['a [0,10) sum=2 ids=0,1', 'a [10,20) sum=1 ids=2'],
      late: [],
    });
  });
});
