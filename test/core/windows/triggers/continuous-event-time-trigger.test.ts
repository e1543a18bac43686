import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { ContinuousEventTimeTrigger } from '../../../../src/core/windows/triggers/continuous-event-time-trigger.js';
import { PurgingTrigger } from '../../../../src/core/windows/triggers/purging-trigger.js';
import { GlobalWindow, TimeWindow, type Window } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext, type FiredTimer } from '../fake-trigger-context.js';

const { CONTINUE, FIRE, FIRE_AND_PURGE } = TriggerResult;
const times = (fired: FiredTimer<Window>[]) => fired.map((f) => [f.time, f.result]);

describe('ContinuousEventTimeTrigger', () => {
  it('fires at each interval boundary after the first element and at the window end', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    expect(ctx.element(trigger, 'a', 3)).toBe(CONTINUE);
    expect(ctx.eventTimersOf()).toEqual([25, 99]);
    expect(times(ctx.advanceWatermark(trigger, 30))).toEqual([[25, FIRE]]);
    expect(ctx.eventTimersOf()).toEqual([50, 99]);
    expect(times(ctx.advanceWatermark(trigger, 200))).toEqual([
      [50, FIRE],
      [75, FIRE],
      [99, FIRE],
    ]);
  });

  it('aligns the first firing to the interval, not to the element', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.element(trigger, 'a', 37);
    ctx.element(trigger, 'b', 3); // the next firing is kept, not moved
    expect(ctx.eventTimersOf()).toEqual([50, 99]);
  });

  it('aligns negative timestamps to the interval below them', () => {
    const w = new TimeWindow(-100, 0);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.element(trigger, 'a', -33);
    expect(ctx.eventTimersOf()).toEqual([-25, -1]);
    expect(times(ctx.advanceWatermark(trigger, 0))).toEqual([
      [-25, FIRE],
      [-1, FIRE],
    ]);
  });

  it('fires immediately for an element after the watermark passed the window', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.watermark = 99;
    expect(ctx.element(trigger, 'late', 50)).toBe(FIRE);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('ignores timers that are neither the next firing nor the window end', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.element(trigger, 'a', 3);
    expect(trigger.onEventTime(40, w, ctx)).toBe(CONTINUE);
    expect(trigger.onProcessingTime(25, w, ctx)).toBe(CONTINUE);
  });

  it('fires forever on a global window and never at its "end" before the input ends', () => {
    const trigger = ContinuousEventTimeTrigger.of(10);
    const ctx = new FakeTriggerContext<Window>(GlobalWindow.get());
    ctx.element(trigger, 'a', 3);
    expect(times(ctx.advanceWatermark(trigger, 35))).toEqual([
      [10, FIRE],
      [20, FIRE],
      [30, FIRE],
    ]);
    expect(ctx.eventTimersOf()).toEqual([40, Number.MAX_SAFE_INTEGER]);
  });

  it('does not start periodic firings for elements without timestamp', () => {
    const trigger = ContinuousEventTimeTrigger.of(10);
    const ctx = new FakeTriggerContext<Window>(GlobalWindow.get());
    expect(ctx.element(trigger, 'a', NO_TIMESTAMP)).toBe(CONTINUE);
    expect(ctx.eventTimersOf()).toEqual([Number.MAX_SAFE_INTEGER]);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('clear deletes its timers and state', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousEventTimeTrigger.of(25);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.element(trigger, 'a', 3);
    ctx.clear(trigger);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('merges: keeps the earliest next firing and registers it with the merged window end', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(8, 18);
    const merged = new TimeWindow(0, 18);
    const trigger = ContinuousEventTimeTrigger.of(5);
    const ctx = new FakeTriggerContext<Window>(a);
    ctx.element(trigger, 'x', 0, a);
    ctx.element(trigger, 'y', 8, b);
    expect(ctx.eventTimersOf(a)).toEqual([5, 9]);
    expect(ctx.eventTimersOf(b)).toEqual([10, 17]);
    ctx.merge(trigger, merged, [a, b]);
    // As in Flink, the old windows' periodic timers stay: their state moved to the merged window
    // before `clear`, which so no longer knows them. They answer CONTINUE, and the window operator
    // drops timers of merged-away windows anyway.
    expect(ctx.eventTimersOf(a)).toEqual([5]);
    expect(ctx.eventTimersOf(b)).toEqual([10]);
    expect(ctx.eventTimersOf(merged)).toEqual([5, 17]);
    expect(ctx.numStateEntries()).toBe(1);
    const fired = ctx.advanceWatermark(trigger, 20);
    expect(times(fired.filter((f) => f.window === merged))).toEqual([
      [5, FIRE],
      [10, FIRE],
      [15, FIRE],
      [17, FIRE],
    ]);
    expect(times(fired.filter((f) => f.window !== merged))).toEqual([
      [5, CONTINUE],
      [10, CONTINUE],
    ]);
  });

  it('with PurgingTrigger, each periodic firing purges', () => {
    const w = new TimeWindow(0, 100);
    const trigger = PurgingTrigger.of(ContinuousEventTimeTrigger.of(50));
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.element(trigger, 'a', 3);
    expect(times(ctx.advanceWatermark(trigger, 100))).toEqual([
      [50, FIRE_AND_PURGE],
      [99, FIRE_AND_PURGE],
    ]);
  });

  it('validates the interval, can merge and prints like Flink', () => {
    expect(() => ContinuousEventTimeTrigger.of(0)).toThrow(RangeError);
    expect(() => ContinuousEventTimeTrigger.of(-5)).toThrow(RangeError);
    expect(() => ContinuousEventTimeTrigger.of(2.5)).toThrow(RangeError);
    expect(ContinuousEventTimeTrigger.of(5).canMerge()).toBe(true);
    expect(ContinuousEventTimeTrigger.of(5).interval).toBe(5);
    expect(String(ContinuousEventTimeTrigger.of(5))).toBe('ContinuousEventTimeTrigger(5)');
  });
});
