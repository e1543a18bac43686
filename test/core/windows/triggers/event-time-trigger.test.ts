import { describe, expect, it } from 'vitest';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { EventTimeTrigger } from '../../../../src/core/windows/triggers/event-time-trigger.js';
import { TimeWindow } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext } from '../fake-trigger-context.js';

const { CONTINUE, FIRE } = TriggerResult;

describe('EventTimeTrigger', () => {
  it('registers a timer at the window end and fires when the watermark reaches it', () => {
    const w = new TimeWindow(0, 10);
    const trigger = EventTimeTrigger.create<string>();
    const ctx = new FakeTriggerContext(w);
    expect(ctx.element(trigger, 'a', 3)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'b', 7)).toBe(CONTINUE);
    expect(ctx.eventTimersOf(w)).toEqual([9]);
    expect(ctx.advanceWatermark(trigger, 8)).toEqual([]);
    expect(ctx.advanceWatermark(trigger, 9)).toEqual([{ time: 9, window: w, result: FIRE }]);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('fires at once for an element arriving after the watermark passed the window (allowed lateness)', () => {
    const w = new TimeWindow(0, 10);
    const trigger = EventTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    ctx.watermark = 9;
    expect(ctx.element(trigger, 'late', 2)).toBe(FIRE);
    expect(ctx.eventTimersOf(w)).toEqual([]);
    ctx.watermark = 8;
    expect(ctx.element(trigger, 'on time', 2)).toBe(CONTINUE);
  });

  it('fires only for the timer at the window end', () => {
    const w = new TimeWindow(0, 10);
    const trigger = EventTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    expect(trigger.onEventTime(5, w, ctx)).toBe(CONTINUE);
    expect(trigger.onEventTime(9, w, ctx)).toBe(FIRE);
    expect(trigger.onProcessingTime(9, w, ctx)).toBe(CONTINUE);
  });

  it('clear deletes the timer', () => {
    const w = new TimeWindow(0, 10);
    const trigger = EventTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    ctx.element(trigger, 'a', 1);
    ctx.clear(trigger, w);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.advanceWatermark(trigger, 100)).toEqual([]);
  });

  it('merges: registers the merged end when the watermark is before it, the old timers are cleared', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(5, 15);
    const merged = new TimeWindow(0, 15);
    const trigger = EventTimeTrigger.create();
    const ctx = new FakeTriggerContext(a);
    ctx.element(trigger, 'x', 0, a);
    ctx.element(trigger, 'y', 5, b);
    ctx.watermark = 3;
    ctx.merge(trigger, merged, [a, b]);
    expect(ctx.eventTimersOf(a)).toEqual([]);
    expect(ctx.eventTimersOf(b)).toEqual([]);
    expect(ctx.eventTimersOf(merged)).toEqual([14]);
    expect(ctx.advanceWatermark(trigger, 20)).toEqual([{ time: 14, window: merged, result: FIRE }]);
  });

  it('merges: registers nothing when the watermark is already past the merged end', () => {
    const merged = new TimeWindow(0, 15);
    const trigger = EventTimeTrigger.create();
    const ctx = new FakeTriggerContext(merged);
    ctx.watermark = 14;
    ctx.merge(trigger, merged, [new TimeWindow(0, 10), new TimeWindow(5, 15)]);
    expect(ctx.numTimers()).toBe(0);
  });

  it('can merge and prints like Flink', () => {
    expect(EventTimeTrigger.create().canMerge()).toBe(true);
    expect(String(EventTimeTrigger.create())).toBe('EventTimeTrigger()');
  });
});
