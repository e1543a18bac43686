import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../../src/core/api/timestamps.js';
import { GlobalWindows } from '../../../../src/core/windows/assigners/global-windows.js';
import { TriggerResult } from '../../../../src/core/windows/trigger.js';
import { NeverTrigger } from '../../../../src/core/windows/triggers/never-trigger.js';
import { GlobalWindow } from '../../../../src/core/windows/window.js';
import { FakeTriggerContext } from '../fake-trigger-context.js';

describe('GlobalWindows', () => {
  it('puts every element into the single global window, with or without timestamp', () => {
    const a = GlobalWindows.create<string>();
    const ctx = { getCurrentProcessingTime: () => 0 };
    expect(a.assignWindows('x', 5, ctx)).toEqual([GlobalWindow.get()]);
    expect(a.assignWindows('y', NO_TIMESTAMP, ctx)[0]).toBe(GlobalWindow.get());
  });

  it('is neither event-time nor merging, and rebuilds the global window from any namespace', () => {
    const a = GlobalWindows.create();
    expect(a.isEventTime()).toBe(false);
    expect(a.isMerging()).toBe(false);
    expect(a.windowFromNamespace(GlobalWindow.get().namespace())).toBe(GlobalWindow.get());
    expect(String(a)).toBe('GlobalWindows()');
  });

  it('has a default trigger that never fires and registers nothing', () => {
    const trigger = GlobalWindows.create<number>().getDefaultTrigger();
    expect(trigger).toBeInstanceOf(NeverTrigger);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    for (let i = 0; i < 5; i++) expect(ctx.element(trigger, i, i)).toBe(TriggerResult.CONTINUE);
    expect(trigger.onEventTime(Number.MAX_SAFE_INTEGER, GlobalWindow.get(), ctx)).toBe(
      TriggerResult.CONTINUE,
    );
    expect(trigger.onProcessingTime(Number.MAX_SAFE_INTEGER, GlobalWindow.get(), ctx)).toBe(
      TriggerResult.CONTINUE,
    );
    expect(ctx.advanceWatermark(trigger, Number.POSITIVE_INFINITY)).toEqual([]);
    expect(ctx.numTimers()).toBe(0);
    expect(ctx.numStateEntries()).toBe(0);
    ctx.clear(trigger);
    expect(String(trigger)).toBe('NeverTrigger()');
  });

  it('NeverTrigger does not claim merge support (as Flink), though onMerge is a no-op', () => {
    const trigger = NeverTrigger.create();
    expect(trigger.canMerge()).toBe(false);
    const ctx = new FakeTriggerContext(GlobalWindow.get());
    expect(() => ctx.merge(trigger, GlobalWindow.get(), [])).not.toThrow();
  });
});
