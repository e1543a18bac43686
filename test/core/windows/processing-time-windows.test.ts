import { describe, expect, it } from 'vitest';
import {
  type Collector,
  CollectSink,
  ManualClock,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  type ProcessWindowContext,
  ProcessWindowFunction,
  StreamExecutionEnvironment,
  type TimeWindow,
  Trigger,
  type TriggerContext,
  type TriggerResult,
  TumblingProcessingTimeWindows,
  type WindowAssigner,
} from '../../../src/core/index.js';
import { Pushable } from '../../util/pushable.js';
import { waitFor } from '../../util/wait-for.js';

// Processing-time windows in real jobs, on a ManualClock: the test decides when each element reaches
// the window operator (a logging trigger shows it arrived, and at what processing time) and when
// the clock moves.

interface Ev {
  readonly id: string;
  readonly key: string;
  readonly v: number;
  readonly gap?: number;
}

/** Elements the window operator received, with the processing time it saw. */
const arrived: Array<{ id: string; now: number }> = [];

/** ProcessingTimeTrigger (the assigners' default), logging each element. */
class LoggingTrigger extends Trigger<Ev, TimeWindow> {
  private readonly inner = ProcessingTimeTrigger.create<Ev, TimeWindow>();

  onElement(el: Ev, ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    arrived.push({ id: el.id, now: ctx.getCurrentProcessingTime() });
    return this.inner.onElement(el, ts, w, ctx);
  }

  onEventTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return this.inner.onEventTime(time, w, ctx);
  }

  onProcessingTime(time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
    return this.inner.onProcessingTime(time, w, ctx);
  }

  override canMerge(): boolean {
    return this.inner.canMerge();
  }

  override onMerge(w: TimeWindow, ctx: Parameters<Trigger<Ev, TimeWindow>['onMerge']>[1]): void {
    this.inner.onMerge(w, ctx);
  }

  clear(w: TimeWindow, ctx: TriggerContext): void {
    this.inner.clear(w, ctx);
  }
}

/** "key [start,end) sum=… ids=… now=…" with the processing time of the firing. */
class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    const all = [...els];
    const sum = all.reduce((s, e) => s + e.v, 0);
    const w = ctx.window();
    out.collect(
      `${key} [${w.start},${w.end}) sum=${sum} ids=${all.map((e) => e.id).join(',')} now=${ctx.currentProcessingTime()}`,
    );
  }
}

function startJob(assigner: WindowAssigner<Ev, TimeWindow>, start = 0) {
  arrived.length = 0;
  const clock = new ManualClock(start);
  const env = new StreamExecutionEnvironment({ parallelism: 1, clock, autoWatermarkInterval: 0 });
  const input = new Pushable<Ev>();
  const sink = new CollectSink<string>();
  env
    .fromAsyncIterable(() => input)
    .keyBy((e) => e.key)
    .window(assigner)
    .trigger(new LoggingTrigger())
    .process(new Describe())
    .sinkTo(sink);
  const job = env.execute('processing-time windows');
  /** Pushes elements and waits until the window operator has them. */
  const push = async (...evs: Ev[]) => {
    input.push(...evs);
    await waitFor(
      () => evs.every((e) => arrived.some((a) => a.id === e.id)),
      `${evs.map((e) => e.id)} at the window`,
    );
  };
  return { clock, input, sink, job, push };
}

describe('TumblingProcessingTimeWindows', () => {
  it('assigns elements by the clock and fires each window when the clock reaches its end', async () => {
    const { clock, input, sink, job, push } = startJob(TumblingProcessingTimeWindows.of(100));
    await push({ id: 'a1', key: 'a', v: 1 }, { id: 'a2', key: 'a', v: 2 }, { id: 'b1', key: 'b', v: 10 });
    clock.setTime(50);
    await push({ id: 'a3', key: 'a', v: 4 });
    clock.setTime(98);
    await push({ id: 'b2', key: 'b', v: 20 });
    expect(arrived).toEqual([
      { id: 'a1', now: 0 },
      { id: 'a2', now: 0 },
      { id: 'b1', now: 0 },
      { id: 'a3', now: 50 },
      { id: 'b2', now: 98 },
    ]);
    expect(sink.values).toEqual([]);

    // 99 is the last millisecond of [0,100): both keys' windows fire then, with everything in them.
    clock.setTime(99);
    await waitFor(() => sink.values.length === 2, 'the [0,100) windows');
    expect([...sink.values].sort()).toEqual([
      'a [0,100) sum=7 ids=a1,a2,a3 now=99',
      'b [0,100) sum=30 ids=b1,b2 now=99',
    ]);
    expect(sink.records.map((r) => r.timestamp)).toEqual([99, 99]);

    // The next window: elements at 120 and 199; it fires at 199, not before.
    clock.setTime(120);
    await push({ id: 'a4', key: 'a', v: 100 });
    clock.setTime(198);
    await push({ id: 'a5', key: 'a', v: 200 });
    expect(sink.values).toHaveLength(2);
    clock.setTime(199);
    await waitFor(() => sink.values.length === 3, 'the [100,200) window');
    expect(sink.values[2]).toBe('a [100,200) sum=300 ids=a4,a5 now=199');

    // A jump far past the window end fires it once, at the new time.
    clock.setTime(210);
    await push({ id: 'a6', key: 'a', v: 1 }, { id: 'b3', key: 'b', v: 2 });
    clock.setTime(1000);
    await waitFor(() => sink.values.length === 5, 'the [200,300) windows');
    expect(sink.values.slice(3).sort()).toEqual([
      'a [200,300) sum=1 ids=a6 now=1000',
      'b [200,300) sum=2 ids=b3 now=1000',
    ]);

    input.end();
    expect((await job).status).toBe('FINISHED');
    expect(sink.values).toHaveLength(5);
  });

  it('windows are aligned to the epoch plus the offset', async () => {
    const { clock, input, sink, job, push } = startJob(TumblingProcessingTimeWindows.of(100, 30), 1000);
    await push({ id: 'a1', key: 'a', v: 1 }); // 1000 is in [930,1030)
    clock.setTime(1029);
    await waitFor(() => sink.values.length === 1, 'the first window');
    clock.setTime(1030);
    await push({ id: 'a2', key: 'a', v: 2 }); // [1030,1130)
    clock.setTime(1129);
    await waitFor(() => sink.values.length === 2, 'the second window');
    expect(sink.values).toEqual([
      'a [930,1030) sum=1 ids=a1 now=1029',
      'a [1030,1130) sum=2 ids=a2 now=1129',
    ]);
    input.end();
    await job;
  });
});

describe('ProcessingTimeSessionWindows', () => {
  it('merges sessions by processing time and fires each once the clock passes its end', async () => {
    const { clock, input, sink, job, push } = startJob(ProcessingTimeSessionWindows.withGap(50));
    await push({ id: 'a1', key: 'a', v: 1 }); // a: [0,50)
    clock.setTime(30);
    await push({ id: 'a2', key: 'a', v: 2 }, { id: 'b1', key: 'b', v: 10 }); // a: [0,80); b: [30,80)
    clock.setTime(70);
    await push({ id: 'a3', key: 'a', v: 4 }); // a: [0,120)

    // b's session ends at 80. Timers fire in time order, so anything left of a's merged-away
    // sessions ([0,50) at 49, [0,80) at 79) would have fired before b's.
    clock.setTime(79);
    await waitFor(() => sink.values.length >= 1, "b's session");
    expect(sink.values).toEqual(['b [30,80) sum=10 ids=b1 now=79']);

    clock.setTime(100);
    await push({ id: 'b2', key: 'b', v: 20 }); // b: a new session [100,150)
    clock.setTime(119);
    await waitFor(() => sink.values.length >= 2, "a's session");
    expect(sink.values[1]).toBe('a [0,120) sum=7 ids=a1,a2,a3 now=119');
    clock.setTime(149);
    await waitFor(() => sink.values.length >= 3, "b's second session");
    expect(sink.values).toEqual([
      'b [30,80) sum=10 ids=b1 now=79',
      'a [0,120) sum=7 ids=a1,a2,a3 now=119',
      'b [100,150) sum=20 ids=b2 now=149',
    ]);
    input.end();
    await job;
    expect(sink.values).toHaveLength(3);
  });

  it('with a dynamic gap, each element extends the session by its own gap', async () => {
    const { clock, input, sink, job, push } = startJob(
      ProcessingTimeSessionWindows.withDynamicGap<Ev>((e) => e.gap!),
    );
    await push({ id: 'a1', key: 'a', v: 1, gap: 10 }); // [0,10)
    clock.setTime(5);
    await push({ id: 'a2', key: 'a', v: 2, gap: 100 }); // [5,105) -> [0,105)
    clock.setTime(60);
    await push({ id: 'a3', key: 'a', v: 4, gap: 5 }); // [60,65) inside: still [0,105)
    await push({ id: 'b1', key: 'b', v: 8, gap: 5 }); // b: [60,65)
    clock.setTime(64);
    await waitFor(() => sink.values.length >= 1, "b's session");
    expect(sink.values).toEqual(['b [60,65) sum=8 ids=b1 now=64']);
    clock.setTime(104);
    await waitFor(() => sink.values.length >= 2, "a's session");
    expect(sink.values[1]).toBe('a [0,105) sum=7 ids=a1,a2,a3 now=104');
    input.end();
    await job;
  });
});
