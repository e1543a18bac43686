import { describe, expect, it } from 'vitest';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { ContinuousProcessingTimeTrigger } from '../../../../src/core/windows/triggers/continuous-processing-time-trigger.js';
import { GlobalWindow, TimeWindow, type Window } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext, type FiredTimer } from '../fake-trigger-context.js';

const { CONTINUE, FIRE } = TriggerResult;
const times = (fired: FiredTimer<Window>[]) => fired.map((f) => [f.time, f.result]);

describe('ContinuousProcessingTimeTrigger', () => {
  it('fires at each interval boundary of processing time and last at the window end', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousProcessingTimeTrigger.of(30);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.processingTime = 5;
    expect(ctx.element(trigger, 'a', 12_345)).toBe(CONTINUE);
    ctx.processingTime = 40;
    expect(ctx.element(trigger, 'b', 0)).toBe(CONTINUE); // keeps the pending firing
    expect(ctx.processingTimersOf()).toEqual([30]);
    expect(ctx.eventTimersOf()).toEqual([]);
    expect(times(ctx.advanceProcessingTime(trigger, 1000))).toEqual([
      [30, FIRE],
      [60, FIRE],
      [90, FIRE],
      [99, FIRE],
    ]);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('keeps firing on a global window', () => {
    const trigger = ContinuousProcessingTimeTrigger.of(1000);
    const ctx = new FakeTriggerContext<Window>(GlobalWindow.get());
    ctx.processingTime = 1234;
    ctx.element(trigger, 'a', 0);
    expect(times(ctx.advanceProcessingTime(trigger, 4000))).toEqual([
      [2000, FIRE],
      [3000, FIRE],
      [4000, FIRE],
    ]);
    expect(ctx.processingTimersOf()).toEqual([5000]);
  });

  it('fires once, not in a loop, for a window whose end is already past the clock', () => {
    const w = new TimeWindow(0, 10);
    const trigger = ContinuousProcessingTimeTrigger.of(1000);
    const ctx = new FakeTriggerContext<Window>(w);
    ctx.processingTime = 1_000_000;
    ctx.element(trigger, 'a', 0);
    expect(times(ctx.advanceProcessingTime(trigger, 1_000_000))).toEqual([[9, FIRE]]);
  });

  it('ignores event time and timers other than its next firing', () => {
    const w = new TimeWindow(0, 100);
    const trigger = ContinuousProcessingTimeTrigger.of(30);
    const ctx = new FakeTriggerContext<Window>(w);
    expect(trigger.onProcessingTime(30, w, ctx)).toBe(CONTINUE); // no state yet
    ctx.element(trigger, 'a', 0);
    expect(trigger.onProcessingTime(31, w, ctx)).toBe(CONTINUE);
    expect(trigger.onEventTime(30, w, ctx)).toBe(CONTINUE);
  });

  it('clear deletes its timer and state', () => {
    const trigger = ContinuousProcessingTimeTrigger.of(30);
    const ctx = new FakeTriggerContext<Window>(new TimeWindow(0, 100));
    ctx.element(trigger, 'a', 0);
    ctx.clear(trigger);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('merges: keeps the earliest next firing, in the merged window', () => {
    const a = new TimeWindow(0, 100);
    const b = new TimeWindow(50, 150);
    const merged = new TimeWindow(0, 150);
    const trigger = ContinuousProcessingTimeTrigger.of(40);
    const ctx = new FakeTriggerContext<Window>(a);
    ctx.processingTime = 50;
    ctx.element(trigger, 'y', 0, b);
    ctx.processingTime = 10;
    ctx.element(trigger, 'x', 0, a);
    expect(ctx.processingTimersOf(a)).toEqual([40]);
    expect(ctx.processingTimersOf(b)).toEqual([80]);
    ctx.merge(trigger, merged, [a, b]);
    // As in Flink, the old windows' timers stay (their state moved before `clear`) and answer
    // CONTINUE; the window operator drops timers of merged-away windows anyway.
    expect(ctx.processingTimersOf(a)).toEqual([40]);
    expect(ctx.processingTimersOf(b)).toEqual([80]);
    expect(ctx.processingTimersOf(merged)).toEqual([40]);
    expect(ctx.numStateEntries()).toBe(1);
    const fired = ctx.advanceProcessingTime(trigger, 130);
    expect(times(fired.filter((f) => f.window === merged))).toEqual([
      [40, FIRE],
      [80, FIRE],
      [120, FIRE],
    ]);
    expect(fired.filter((f) => f.window !== merged).every((f) => f.result === CONTINUE)).toBe(true);
  });

  it('validates the interval, can merge and prints like Flink', () => {
    expect(() => ContinuousProcessingTimeTrigger.of(0)).toThrow(RangeError);
    expect(() => ContinuousProcessingTimeTrigger.of(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(ContinuousProcessingTimeTrigger.of(5).canMerge()).toBe(true);
    expect(String(ContinuousProcessingTimeTrigger.of(5))).toBe('ContinuousProcessingTimeTrigger(5)');
  });
});
