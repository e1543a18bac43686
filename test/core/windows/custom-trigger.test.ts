import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  type OnMergeContext,
  OperatorTestHarness,
  ReducingStateDescriptor,
  type TimeWindow,
  Trigger,
  type TriggerContext,
  TriggerResult,
  TumblingEventTimeWindows,
  WindowOperator,
} from '../../../src/core/index.js';
import { passThroughWindowFunction } from '../../../src/core/windows/internal-window-function.js';

interface Ev {
  readonly key: string;
  readonly n: number;
}

/**
 * Fires early whenever the window's running amount reaches a threshold (then counts again), and
 * at the window's end. Keeps its running amount in trigger state, merges it for sessions.
 */
class AmountTrigger extends Trigger<Ev, TimeWindow> {
  private readonly amount = new ReducingStateDescriptor<number>('amount-trigger.sum', (a, b) => a + b);

  constructor(private readonly threshold: number) {
    super();
  }

  onElement(e: Ev, _ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const sum = ctx.getPartitionedState(this.amount);
    sum.add(e.n);
    if (sum.get()! >= this.threshold) {
      sum.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.amount);
    ctx.registerEventTimeTimer(window.maxTimestamp());
  }

  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.amount).clear();
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}

const sum = (a: Ev, b: Ev): Ev => ({ key: a.key, n: a.n + b.n });

function harness(session: boolean): OperatorTestHarness<Ev, Ev> {
  return new OperatorTestHarness<Ev, Ev>(
    () =>
      new WindowOperator<Ev, Ev, Ev, string, TimeWindow>({
        assigner: session ? EventTimeSessionWindows.withGap(10) : TumblingEventTimeWindows.of(100),
        trigger: new AmountTrigger(10),
        evictor: undefined,
        allowedLateness: 0,
        lateDataTag: undefined,
        keySelector: (e) => e.key,
        contents: { kind: 'reduce', reducer: sum },
        windowFunction: passThroughWindowFunction(),
      }),
    { keyed: true },
  );
}

describe('a custom trigger with trigger state', () => {
  it('fires early on its own condition and at the window end, and leaves no state behind', async () => {
    const h = harness(false);
    await h.open();
    for (const n of [4, 4, 4, 1]) h.processElement({ key: 'a', n }, 10);
    expect(h.extractOutputValues().map((e) => e.n)).toEqual([12]);
    h.processWatermark(99);
    expect(h.extractOutputValues().map((e) => e.n)).toEqual([12, 13]);
    expect((h.operator as any).getKeyedStateBackend().numEntries()).toBe(0);
  });

  it('merges its state when session windows merge', async () => {
    const h = harness(true);
    await h.open();
    h.processElement({ key: 'a', n: 6 }, 0); // [0,10)
    h.processElement({ key: 'a', n: 3 }, 30); // [30,40)
    h.processElement({ key: 'a', n: 2 }, 15); // [15,25), touches neither
    h.processElement({ key: 'a', n: 1 }, 22); // [22,32) joins [15,25) and [30,40): trigger sum 2 + 3 + 1
    expect(h.extractOutputValues()).toEqual([]);
    h.processElement({ key: 'a', n: 4 }, 9); // [9,19) joins everything: trigger sum 6 + 6 + 4 >= 10
    expect(h.extractOutputValues().map((e) => e.n)).toEqual([16]);
    h.processWatermark(1000);
    expect(h.extractOutputValues().map((e) => e.n)).toEqual([16, 16]);
    expect((h.operator as any).getKeyedStateBackend().numEntries()).toBe(0);
  });
});
