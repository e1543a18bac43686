import { describe, expect, it } from 'vitest';
import {
  type AggregateFunction,
  type Collector,
  Duration,
  type KeyedOnTimerContext,
  type KeyedProcessContext,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type ProcessWindowContext,
  ProcessWindowFunction,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { SlidingEventTimeWindows } from '../../../src/core/windows/assigners/sliding-event-time-windows.js';
import type { TimeWindow } from '../../../src/core/windows/window.js';

interface View {
  readonly url: string;
  readonly ts: number;
}

interface UrlCount {
  readonly url: string;
  readonly windowEnd: number;
  readonly count: number;
}

const countViews: AggregateFunction<View, number, number> = {
  createAccumulator: () => 0,
  add: (_v, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

class WithWindowEnd extends ProcessWindowFunction<number, UrlCount, string, TimeWindow> {
  process(
    url: string,
    ctx: ProcessWindowContext<TimeWindow>,
    counts: Iterable<number>,
    out: Collector<UrlCount>,
  ): void {
    for (const count of counts) out.collect({ url, windowEnd: ctx.window().end, count });
  }
}

/** Collects the counts of one window end; the timer at windowEnd + 1 fires once all have arrived. */
class TopN extends KeyedProcessFunction<number, UrlCount, string> {
  private counts!: ListState<UrlCount>;

  constructor(private readonly n: number) {
    super();
  }

  override open(): void {
    this.counts = this.getRuntimeContext().getListState(new ListStateDescriptor<UrlCount>('url-counts'));
  }

  processElement(c: UrlCount, ctx: KeyedProcessContext<number>): void {
    this.counts.add(c);
    ctx.timerService().registerEventTimeTimer(c.windowEnd + 1);
  }

  override onTimer(_ts: number, ctx: KeyedOnTimerContext<number>, out: Collector<string>): void {
    const top = [...this.counts.get()]
      .sort((a, b) => b.count - a.count || a.url.localeCompare(b.url))
      .slice(0, this.n)
      .map((c) => `${c.url}=${c.count}`);
    this.counts.clear();
    out.collect(`end=${ctx.getCurrentKey()} ${top.join(' ')}`);
  }
}

function expectedTop2(views: readonly View[]): string[] {
  const size = 10_000;
  const slide = 5_000;
  const windows = new Map<number, Map<string, number>>();
  for (const v of views) {
    for (let start = Math.floor(v.ts / slide) * slide; start > v.ts - size; start -= slide) {
      const m = windows.get(start + size) ?? new Map<string, number>();
      m.set(v.url, (m.get(v.url) ?? 0) + 1);
      windows.set(start + size, m);
    }
  }
  return [...windows.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([end, m]) => {
      const top = [...m.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 2)
        .map(([u, c]) => `${u}=${c}`);
      return `end=${end} ${top.join(' ')}`;
    });
}

describe('top-N URLs per sliding window', () => {
  it('incremental aggregate -> keyBy(window end) -> keyed process with a timer at windowEnd + 1', async () => {
    const urls = ['/home', '/cart', '/pay', '/login', '/search'];
    const views: View[] = [];
    // Deterministic pseudo-random traffic with skewed popularity, mildly out of order.
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 600; i++) {
      const url = urls[Math.min(urls.length - 1, Math.floor(rnd() ** 2 * urls.length))]!;
      views.push({ url, ts: i * 100 + Math.floor(rnd() * 900) });
    }
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    const out = await env
      .fromCollection(views)
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forBoundedOutOfOrderness<View>(Duration.ofSeconds(1)).withTimestampAssigner(
          (v) => v.ts,
        ),
      )
      .keyBy((v) => v.url)
      .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)))
      .aggregate(countViews, new WithWindowEnd())
      .keyBy((c) => c.windowEnd)
      .process(new TopN(2))
      .setParallelism(1)
      .executeAndCollect();
    const byEnd = (s: string) => Number(s.split(' ')[0]!.slice(4));
    expect([...out].sort((a, b) => byEnd(a) - byEnd(b))).toEqual(expectedTop2(views));
  });
});
