import { describe, expect, it } from 'vitest';
import {
  type Collector,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  OperatorTestHarness,
  OutputTag,
  type ProcessWindowContext,
  ProcessWindowFunction,
  ValueStateDescriptor,
} from '../../../src/core/index.js';
import { EventTimeSessionWindows } from '../../../src/core/windows/assigners/event-time-session-windows.js';
import { GlobalWindows } from '../../../src/core/windows/assigners/global-windows.js';
import { SlidingEventTimeWindows } from '../../../src/core/windows/assigners/sliding-event-time-windows.js';
import { TumblingEventTimeWindows } from '../../../src/core/windows/assigners/tumbling-event-time-windows.js';
import { TumblingProcessingTimeWindows } from '../../../src/core/windows/assigners/tumbling-processing-time-windows.js';
import type { Evictor } from '../../../src/core/windows/evictor.js';
import { CountEvictor } from '../../../src/core/windows/evictors/count-evictor.js';
import {
  passThroughWindowFunction,
  processWindowFunction,
} from '../../../src/core/windows/internal-window-function.js';
import type { Trigger } from '../../../src/core/windows/trigger.js';
import { ContinuousEventTimeTrigger } from '../../../src/core/windows/triggers/continuous-event-time-trigger.js';
import { CountTrigger } from '../../../src/core/windows/triggers/count-trigger.js';
import { PurgingTrigger } from '../../../src/core/windows/triggers/purging-trigger.js';
import type { TimeWindow, Window } from '../../../src/core/windows/window.js';
import type { WindowAssigner } from '../../../src/core/windows/window-assigner.js';
import { type WindowContents, WindowOperator } from '../../../src/core/windows/window-operator.js';

interface Ev {
  readonly key: string;
  readonly n: number;
}

const sum = (a: Ev, b: Ev): Ev => ({ key: a.key, n: a.n + b.n });

/** Emits "key [start,end) sum count" for every firing. */
class Describe extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowContext<TimeWindow>,
    els: Iterable<Ev>,
    out: Collector<string>,
  ): void {
    const all = [...els];
    out.collect(
      `${key} [${ctx.window().start},${ctx.window().end}) ${all.reduce((s, e) => s + e.n, 0)} ${all.length}`,
    );
  }
}

function harness<W extends Window>(opts: {
  assigner: WindowAssigner<Ev, W>;
  trigger?: Trigger<Ev, W>;
  evictor?: Evictor<Ev, W>;
  lateness?: number;
  lateTag?: OutputTag<Ev>;
  contents?: WindowContents<Ev, any>;
  fn?: 'describe' | 'pass';
}): OperatorTestHarness<any, Ev> {
  return new OperatorTestHarness<any, Ev>(
    () =>
      new WindowOperator<Ev, any, any, string, W>({
        assigner: opts.assigner,
        trigger: opts.trigger ?? opts.assigner.getDefaultTrigger(),
        evictor: opts.evictor,
        allowedLateness: opts.lateness ?? 0,
        lateDataTag: opts.lateTag,
        keySelector: (e) => e.key,
        contents: opts.contents ?? { kind: 'list' },
        windowFunction:
          (opts.fn ?? 'describe') === 'describe'
            ? (processWindowFunction(new Describe()) as any)
            : passThroughWindowFunction(),
      }),
    { keyed: true },
  );
}

describe('WindowOperator', () => {
  it('tumbling event-time windows fire once the watermark passes their end, stamped with maxTimestamp', async () => {
    const h = harness({ assigner: TumblingEventTimeWindows.of(10) });
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 1);
    h.processElement({ key: 'a', n: 2 }, 9);
    h.processElement({ key: 'b', n: 5 }, 3);
    h.processElement({ key: 'a', n: 4 }, 12);
    h.processWatermark(8);
    expect(h.extractOutputValues()).toEqual([]);
    h.processWatermark(9);
    expect(h.extractOutputValues().sort()).toEqual(['a [0,10) 3 2', 'b [0,10) 5 1']);
    expect(h.events.filter((e) => e.kind === 'record').every((e) => (e as any).timestamp === 9)).toBe(true);
    h.processWatermark(100);
    expect(h.extractOutputValues().at(-1)).toBe('a [10,20) 4 1');
    // Everything fired and was cleaned up: no state left.
    const backend = (h.operator as any).getKeyedStateBackend();
    expect(backend.numEntries()).toBe(0);
  });

  it('sliding windows put each element in size/slide windows', async () => {
    const h = harness({ assigner: SlidingEventTimeWindows.of(10, 5) });
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 7);
    h.processWatermark(100);
    expect(h.extractOutputValues().sort()).toEqual(['a [0,10) 1 1', 'a [5,15) 1 1']);
  });

  it('late elements within allowed lateness fire the window again; later ones go to the side output', async () => {
    const late = new OutputTag<Ev>('late');
    const h = harness({
      assigner: TumblingEventTimeWindows.of(10),
      lateness: 5,
      lateTag: late,
      contents: { kind: 'reduce', reducer: sum },
      fn: 'pass',
    });
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 2);
    h.processWatermark(10);
    expect(h.extractOutputValues()).toEqual([{ key: 'a', n: 1 }]);
    h.processElement({ key: 'a', n: 10 }, 4); // late, but 4 + 5 > 10: updates and fires at once
    expect(h.extractOutputValues()).toEqual([
      { key: 'a', n: 1 },
      { key: 'a', n: 11 },
    ]);
    h.processWatermark(14); // cleanup time is 9 + 5 = 14
    h.processElement({ key: 'a', n: 100 }, 5); // window is gone
    expect(h.extractOutputValues()).toHaveLength(2);
    expect(h.sideOutputValues(late)).toEqual([{ key: 'a', n: 100 }]);
  });

  it('session windows merge out-of-order elements and fire one session', async () => {
    const h = harness({ assigner: EventTimeSessionWindows.withGap(10) });
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 0);
    h.processElement({ key: 'a', n: 2 }, 30);
    h.processElement({ key: 'a', n: 4 }, 15); // bridges [0,10) and [30,40) through [15,25)? no: 10 < 15
    h.processElement({ key: 'a', n: 8 }, 8); // [8,18) joins [0,10) and [15,25)
    h.processElement({ key: 'a', n: 16 }, 22); // [22,32) joins with [30,40)
    h.processWatermark(100);
    expect(h.extractOutputValues()).toEqual(['a [0,40) 31 5']);
    expect((h.operator as any).getKeyedStateBackend().numEntries()).toBe(0);
  });

  it('session state survives snapshot and restore in the middle of a session', async () => {
    const make = () =>
      harness({
        assigner: EventTimeSessionWindows.withGap(10),
        contents: { kind: 'reduce', reducer: sum },
        fn: 'pass',
      });
    const h = make();
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 0);
    h.processElement({ key: 'a', n: 2 }, 12);
    h.processElement({ key: 'b', n: 7 }, 3);
    const snap = decodeOperatorSnapshot(encodeOperatorSnapshot(h.snapshot()));
    const r = make();
    await r.open([snap]);
    r.processElement({ key: 'a', n: 4 }, 6); // merges [0,10) and [12,22)
    r.processWatermark(100);
    expect(r.extractOutputValues().sort((x: Ev, y: Ev) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', n: 7 },
      { key: 'b', n: 7 },
    ]);
  });

  it('count windows with a purging count trigger, and sliding count windows with an evictor', async () => {
    const tumbling = harness({
      assigner: GlobalWindows.create(),
      trigger: PurgingTrigger.of(CountTrigger.of(2)),
      contents: { kind: 'reduce', reducer: sum },
      fn: 'pass',
    });
    await tumbling.open();
    for (const n of [1, 2, 3, 4, 5]) tumbling.processElement({ key: 'a', n });
    expect(tumbling.extractOutputValues()).toEqual([
      { key: 'a', n: 3 },
      { key: 'a', n: 7 },
    ]);

    const sliding = harness({
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(1),
      evictor: CountEvictor.of(3),
      contents: { kind: 'reduce', reducer: sum },
      fn: 'pass',
    });
    await sliding.open();
    for (const n of [1, 2, 3, 4, 5]) sliding.processElement({ key: 'a', n });
    expect(sliding.extractOutputValues().map((e: Ev) => e.n)).toEqual([1, 3, 6, 9, 12]);
  });

  it('a continuous event-time trigger fires early results, then the final one', async () => {
    const h = harness({
      assigner: TumblingEventTimeWindows.of(100),
      trigger: ContinuousEventTimeTrigger.of(25),
      contents: { kind: 'reduce', reducer: sum },
      fn: 'pass',
    });
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 10);
    h.processWatermark(30);
    h.processElement({ key: 'a', n: 2 }, 40);
    h.processWatermark(60);
    h.processWatermark(200);
    const ns = h.extractOutputValues().map((e: Ev) => e.n);
    expect(ns[0]).toBe(1);
    expect(ns.at(-1)).toBe(3);
    expect(ns.length).toBeGreaterThanOrEqual(3);
  });

  it('processing-time windows fire on the clock', async () => {
    const h = harness({
      assigner: TumblingProcessingTimeWindows.of(1000),
      contents: { kind: 'reduce', reducer: sum },
      fn: 'pass',
    });
    await h.open();
    h.setProcessingTime(100);
    h.processElement({ key: 'a', n: 1 });
    h.processElement({ key: 'a', n: 2 });
    h.setProcessingTime(998);
    expect(h.extractOutputValues()).toEqual([]);
    h.setProcessingTime(999);
    expect(h.extractOutputValues()).toEqual([{ key: 'a', n: 3 }]);
  });

  it('window functions get per-window and global state', async () => {
    const seen = new ValueStateDescriptor<number>('firings');
    const total = new ValueStateDescriptor<number>('total-firings');
    class Counting extends ProcessWindowFunction<Ev, string, string, TimeWindow> {
      process(
        key: string,
        ctx: ProcessWindowContext<TimeWindow>,
        _els: Iterable<Ev>,
        out: Collector<string>,
      ): void {
        const w = ctx.windowState().getState(seen);
        w.update((w.value() ?? 0) + 1);
        const g = ctx.globalState().getState(total);
        g.update((g.value() ?? 0) + 1);
        out.collect(`${key}@${ctx.window().start} window=${w.value()} global=${g.value()}`);
      }
      override clear(ctx: ProcessWindowContext<TimeWindow>): void {
        ctx.windowState().getState(seen).clear();
      }
    }
    const h = new OperatorTestHarness<string, Ev>(
      () =>
        new WindowOperator<Ev, Ev, string, string, TimeWindow>({
          assigner: TumblingEventTimeWindows.of(10),
          trigger: TumblingEventTimeWindows.of(10).getDefaultTrigger(),
          evictor: undefined,
          allowedLateness: 20,
          lateDataTag: undefined,
          keySelector: (e) => e.key,
          contents: { kind: 'list' },
          windowFunction: processWindowFunction(new Counting()),
        }),
      { keyed: true },
    );
    await h.open();
    h.processElement({ key: 'a', n: 1 }, 1);
    h.processWatermark(9);
    h.processElement({ key: 'a', n: 1 }, 2); // late, within lateness: fires again
    h.processElement({ key: 'a', n: 1 }, 15);
    h.processWatermark(19);
    expect(h.extractOutputValues()).toEqual([
      'a@0 window=1 global=1',
      'a@0 window=2 global=2',
      'a@10 window=1 global=3',
    ]);
    h.processWatermark(1000);
    // Per-window state was cleared by clear(); the global counter stays.
    expect((h.operator as any).getKeyedStateBackend().numEntries()).toBe(1);
  });
});
