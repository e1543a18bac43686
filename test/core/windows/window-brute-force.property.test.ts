import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  type ProcessWindowContext,
  ProcessWindowFunction,
  RuntimeExecutionMode,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { EventTimeSessionWindows } from '../../../src/core/windows/assigners/event-time-session-windows.js';
import { SlidingEventTimeWindows } from '../../../src/core/windows/assigners/sliding-event-time-windows.js';
import { TumblingEventTimeWindows } from '../../../src/core/windows/assigners/tumbling-event-time-windows.js';
import type { TimeWindow } from '../../../src/core/windows/window.js';
import type { WindowAssigner } from '../../../src/core/windows/window-assigner.js';

interface Ev {
  readonly key: string;
  readonly ts: number;
  readonly v: number;
}

const DELAY = 20;

/** Random streams whose disorder stays within the watermark delay: nothing is ever late. */
const streamArb = fc
  .array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      step: fc.integer({ min: 0, max: 15 }),
      back: fc.integer({ min: 0, max: DELAY }),
      v: fc.integer({ min: 1, max: 9 }),
    }),
    { maxLength: 80 },
  )
  .map((raw) => {
    let clock = 0;
    return raw.map(({ key, step, back, v }): Ev => {
      clock += step;
      return { key, ts: Math.max(0, clock - back), v };
    });
  });

type Shape =
  | { kind: 'tumbling'; size: number }
  | { kind: 'sliding'; size: number; slide: number }
  | { kind: 'session'; gap: number };

const shapeArb: fc.Arbitrary<Shape> = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((size) => ({ kind: 'tumbling' as const, size })),
  fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 7 }))
    .map(([slide, n, extra]) => ({ kind: 'sliding' as const, size: slide * n + (extra % slide), slide })),
  fc.integer({ min: 1, max: 30 }).map((gap) => ({ kind: 'session' as const, gap })),
);

function assigner(shape: Shape): WindowAssigner<Ev, TimeWindow> {
  switch (shape.kind) {
    case 'tumbling':
      return TumblingEventTimeWindows.of(shape.size);
    case 'sliding':
      return SlidingEventTimeWindows.of(shape.size, shape.slide);
    case 'session':
      return EventTimeSessionWindows.withGap(shape.gap);
  }
}

const line = (key: string, start: number, end: number, sum: number, count: number) =>
  `${key} [${start},${end}) sum=${sum} n=${count}`;

/** Window results computed straight from the definitions. */
function bruteForce(events: readonly Ev[], shape: Shape): string[] {
  const out: string[] = [];
  const byKey = new Map<string, Ev[]>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  for (const [key, evs] of byKey) {
    const windows = new Map<string, { start: number; end: number; sum: number; n: number }>();
    const add = (start: number, end: number, e: Ev) => {
      const id = `${start}:${end}`;
      const w = windows.get(id) ?? { start, end, sum: 0, n: 0 };
      w.sum += e.v;
      w.n++;
      windows.set(id, w);
    };
    if (shape.kind === 'session') {
      const sorted = [...evs].sort((x, y) => x.ts - y.ts);
      let cur: { start: number; end: number; sum: number; n: number } | undefined;
      for (const e of sorted) {
        if (cur && e.ts <= cur.end) {
          cur.end = Math.max(cur.end, e.ts + shape.gap);
          cur.sum += e.v;
          cur.n++;
        } else {
          if (cur) out.push(line(key, cur.start, cur.end, cur.sum, cur.n));
          cur = { start: e.ts, end: e.ts + shape.gap, sum: e.v, n: 1 };
        }
      }
      if (cur) out.push(line(key, cur.start, cur.end, cur.sum, cur.n));
      continue;
    }
    const size = shape.size;
    const slide = shape.kind === 'sliding' ? shape.slide : shape.size;
    for (const e of evs) {
      for (let start = Math.floor(e.ts / slide) * slide; start > e.ts - size; start -= slide)
        add(start, start + size, e);
    }
    for (const w of windows.values()) out.push(line(key, w.start, w.end, w.sum, w.n));
  }
  return out.sort();
}

class Summarize extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    let sum = 0;
    let n = 0;
    for (const e of els) {
      sum += e.v;
      n++;
    }
    out.collect(line(key, ctx.window().start, ctx.window().end, sum, n));
  }
}

async function run(
  events: Ev[],
  shape: Shape,
  mode: RuntimeExecutionMode,
  parallelism: number,
): Promise<string[]> {
  const env = new StreamExecutionEnvironment({ parallelism, runtimeMode: mode, autoWatermarkInterval: 0 });
  // Punctuated bounded out-of-orderness: a watermark after every event, so windows fire during the
  // run (not only at the end) whatever the timing.
  const strategy = WatermarkStrategy.forGenerator<Ev>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        // -2, not -1: a session fired at e - 1 then cannot be touched by an element at ts == e.
        out.emitWatermark(max - DELAY - 2);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: Ev) => e.ts);
  const out = await env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(strategy)
    .keyBy((e) => e.key)
    .window(assigner(shape))
    .process(new Summarize())
    .executeAndCollect();
  return out.sort();
}

describe('windows against a brute-force recomputation', () => {
  it('tumbling, sliding and session windows equal the definition on random in-bound streams', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, shapeArb, fc.constantFrom(1, 2), async (events, shape, parallelism) => {
        expect(await run(events, shape, RuntimeExecutionMode.STREAMING, parallelism)).toEqual(
          bruteForce(events, shape),
        );
      }),
      { numRuns: 120 },
    );
  });

  it('BATCH gives the same windows as STREAMING', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, shapeArb, async (events, shape) => {
        expect(await run(events, shape, RuntimeExecutionMode.BATCH, 2)).toEqual(bruteForce(events, shape));
      }),
      { numRuns: 40 },
    );
  });
});
