import { describe, expect, it } from 'vitest';
import { type OnMergeContext, Trigger, TriggerResult } from '../../../../src/core/windows/trigger.js';
import { CountTrigger } from '../../../../src/core/windows/triggers/count-trigger.js';
import { EventTimeTrigger } from '../../../../src/core/windows/triggers/event-time-trigger.js';
import { NeverTrigger } from '../../../../src/core/windows/triggers/never-trigger.js';
import { PurgingTrigger } from '../../../../src/core/windows/triggers/purging-trigger.js';
import { GlobalWindow, TimeWindow, type Window } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext } from '../fake-trigger-context.js';

const { CONTINUE, FIRE, PURGE, FIRE_AND_PURGE } = TriggerResult;

/** Answers whatever it is told, and records calls. */
class Scripted extends Trigger<unknown, Window> {
  next: TriggerResult = CONTINUE;
  readonly calls: string[] = [];
  onElement(): TriggerResult {
    this.calls.push('element');
    return this.next;
  }
  onEventTime(): TriggerResult {
    this.calls.push('event');
    return this.next;
  }
  onProcessingTime(): TriggerResult {
    this.calls.push('processing');
    return this.next;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_w: Window, _ctx: OnMergeContext): void {
    this.calls.push('merge');
  }
  clear(): void {
    this.calls.push('clear');
  }
}

describe('PurgingTrigger', () => {
  it('turns FIRE into FIRE_AND_PURGE and passes everything else through, for all callbacks', () => {
    const nested = new Scripted();
    const trigger = PurgingTrigger.of(nested);
    const w = GlobalWindow.get();
    const ctx = new FakeTriggerContext<Window>(w);
    const expected = new Map([
      [CONTINUE, CONTINUE],
      [FIRE, FIRE_AND_PURGE],
      [PURGE, PURGE],
      [FIRE_AND_PURGE, FIRE_AND_PURGE],
    ]);
    for (const [given, result] of expected) {
      nested.next = given;
      expect(trigger.onElement('x', 0, w, ctx)).toBe(result);
      expect(trigger.onEventTime(0, w, ctx)).toBe(result);
      expect(trigger.onProcessingTime(0, w, ctx)).toBe(result);
    }
  });

  it('delegates clear, canMerge and onMerge', () => {
    const nested = new Scripted();
    const trigger = PurgingTrigger.of(nested);
    const ctx = new FakeTriggerContext<Window>(new TimeWindow(0, 10));
    expect(trigger.canMerge()).toBe(true);
    ctx.merge(trigger, new TimeWindow(0, 15), [new TimeWindow(0, 10)]);
    expect(nested.calls).toEqual(['merge', 'clear']);
    expect(PurgingTrigger.of(NeverTrigger.create()).canMerge()).toBe(false);
  });

  it('makes a tumbling count trigger', () => {
    const trigger = PurgingTrigger.of(CountTrigger.of<number>(2));
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    expect([1, 2, 3, 4].map((v) => ctx.element(trigger, v, 0))).toEqual([
      CONTINUE,
      FIRE_AND_PURGE,
      CONTINUE,
      FIRE_AND_PURGE,
    ]);
  });

  it('purges event-time windows when they fire', () => {
    const w = new TimeWindow(0, 10);
    const trigger = PurgingTrigger.of(EventTimeTrigger.create());
    const ctx = new FakeTriggerContext(w);
    ctx.element(trigger, 'a', 1);
    expect(ctx.advanceWatermark(trigger, 9)).toEqual([{ time: 9, window: w, result: FIRE_AND_PURGE }]);
  });

  it('prints the nested trigger and exposes it', () => {
    const nested = CountTrigger.of(3);
    const trigger = PurgingTrigger.of(nested);
    expect(trigger.nestedTrigger).toBe(nested);
    expect(String(trigger)).toBe('PurgingTrigger(CountTrigger(3))');
  });
});
