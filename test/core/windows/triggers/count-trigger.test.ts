import { describe, expect, it } from 'vitest';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { CountTrigger } from '../../../../src/core/windows/triggers/count-trigger.js';
import { GlobalWindow, TimeWindow } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext } from '../fake-trigger-context.js';

const { CONTINUE, FIRE } = TriggerResult;

describe('CountTrigger', () => {
  it('fires every maxCount elements and resets its count', () => {
    const trigger = CountTrigger.of<number>(3);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    const results = [1, 2, 3, 4, 5, 6, 7].map((v) => ctx.element(trigger, v, v));
    expect(results).toEqual([CONTINUE, CONTINUE, FIRE, CONTINUE, CONTINUE, FIRE, CONTINUE]);
    expect(ctx.numTimers()).toBe(0);
  });

  it('fires on every element with maxCount 1', () => {
    const trigger = CountTrigger.of(1);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    expect([ctx.element(trigger, 'a', 0), ctx.element(trigger, 'b', 0)]).toEqual([FIRE, FIRE]);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('counts per window', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(10, 20);
    const trigger = CountTrigger.of(2);
    const ctx = new FakeTriggerContext(a);
    expect(ctx.element(trigger, 'x', 1, a)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'x', 11, b)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'x', 12, b)).toBe(FIRE);
    expect(ctx.element(trigger, 'x', 2, a)).toBe(FIRE);
  });

  it('ignores timers', () => {
    const trigger = CountTrigger.of(1);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    expect(trigger.onEventTime(5, GlobalWindow.get(), ctx)).toBe(CONTINUE);
    expect(trigger.onProcessingTime(5, GlobalWindow.get(), ctx)).toBe(CONTINUE);
  });

  it('clear removes the count state', () => {
    const trigger = CountTrigger.of(3);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    ctx.element(trigger, 'a', 0);
    ctx.element(trigger, 'b', 0);
    expect(ctx.numStateEntries()).toBe(1);
    ctx.clear(trigger);
    expect(ctx.numStateEntries()).toBe(0);
    expect(ctx.element(trigger, 'c', 0)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'd', 0)).toBe(CONTINUE);
    expect(ctx.element(trigger, 'e', 0)).toBe(FIRE);
  });

  it('merges the counts of merged windows (firing with the next element, as Flink)', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(5, 15);
    const merged = new TimeWindow(0, 15);
    const trigger = CountTrigger.of(4);
    const ctx = new FakeTriggerContext(a);
    ctx.element(trigger, 'x', 0, a);
    ctx.element(trigger, 'x', 1, a);
    ctx.element(trigger, 'y', 5, b);
    ctx.merge(trigger, merged, [a, b]);
    expect(ctx.numStateEntries()).toBe(1);
    expect(ctx.element(trigger, 'z', 6, merged)).toBe(FIRE);
  });

  it('merges windows of which only some have a count', () => {
    const a = new TimeWindow(0, 10);
    const b = new TimeWindow(12, 20);
    const merged = new TimeWindow(0, 20);
    const trigger = CountTrigger.of(3);
    const ctx = new FakeTriggerContext(a);
    ctx.element(trigger, 'x', 0, a);
    ctx.element(trigger, 'y', 1, a);
    ctx.merge(trigger, merged, [a, b]);
    expect(ctx.element(trigger, 'z', 5, merged)).toBe(FIRE);
    expect(ctx.numStateEntries()).toBe(0);
  });

  it('validates maxCount, can merge and prints like Flink', () => {
    expect(() => CountTrigger.of(0)).toThrow(RangeError);
    expect(() => CountTrigger.of(1.5)).toThrow(RangeError);
    expect(CountTrigger.of(5).maxCount).toBe(5);
    expect(CountTrigger.of(5).canMerge()).toBe(true);
    expect(String(CountTrigger.of(5))).toBe('CountTrigger(5)');
  });
});
