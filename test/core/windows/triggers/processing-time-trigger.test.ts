import { describe, expect, it } from 'vitest';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { ProcessingTimeTrigger } from '../../../../src/core/windows/triggers/processing-time-trigger.js';
import { TimeWindow } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext } from '../fake-trigger-context.js';

const { CONTINUE, FIRE } = TriggerResult;

describe('ProcessingTimeTrigger', () => {
  it('registers a processing-time timer at the window end and fires when the clock reaches it', () => {
    const w = new TimeWindow(1000, 2000);
    const trigger = ProcessingTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    ctx.processingTime = 1200;
    expect(ctx.element(trigger, 'a', 0)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'b', 0)).toBe(CONTINUE);
    expect(ctx.processingTimersOf(w)).toEqual([1999]);
    expect(ctx.eventTimersOf(w)).toEqual([]);
    expect(ctx.advanceProcessingTime(trigger, 1998)).toEqual([]);
    expect(ctx.advanceProcessingTime(trigger, 5000)).toEqual([{ time: 1999, window: w, result: FIRE }]);
  });

  it('ignores event time and watermarks', () => {
    const w = new TimeWindow(0, 10);
    const trigger = ProcessingTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    ctx.watermark = 100;
    expect(ctx.element(trigger, 'a', 1)).toBe(CONTINUE);
    expect(trigger.onEventTime(9, w, ctx)).toBe(CONTINUE);
  });

  it('clear deletes the timer', () => {
    const w = new TimeWindow(0, 10);
    const trigger = ProcessingTimeTrigger.create();
    const ctx = new FakeTriggerContext(w);
    ctx.element(trigger, 'a', 1);
    ctx.clear(trigger);
    expect(ctx.numTimers()).toBe(0);
  });

  it('merges: registers the merged end when it is still ahead of the clock', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(5, 15);
    const merged = new TimeWindow(0, 15);
    const trigger = ProcessingTimeTrigger.create();
    const ctx = new FakeTriggerContext(a);
    ctx.processingTime = 5;
    ctx.element(trigger, 'x', 0, a);
    ctx.element(trigger, 'y', 0, b);
    ctx.merge(trigger, merged, [a, b]);
    expect(ctx.processingTimersOf(a)).toEqual([]);
    expect(ctx.processingTimersOf(b)).toEqual([]);
    expect(ctx.processingTimersOf(merged)).toEqual([14]);

    const late = new FakeTriggerContext(merged);
    late.processingTime = 14;
    late.merge(trigger, merged, [a, b]);
    expect(late.numTimers()).toBe(0);
  });

  it('can merge and prints like Flink', () => {
    expect(ProcessingTimeTrigger.create().canMerge()).toBe(true);
    expect(String(ProcessingTimeTrigger.create())).toBe('ProcessingTimeTrigger()');
  });
});
