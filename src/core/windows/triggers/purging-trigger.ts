import { isFire, type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import type { Window } from '../window.js';

/**
 * Wraps a trigger so that each of its firings also purges the window (Flink's `PurgingTrigger`):
 * `FIRE` becomes `FIRE_AND_PURGE`, everything else passes through. This turns a sliding count or
 * continuous trigger into a tumbling one.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)));
 * ```
 */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(readonly nestedTrigger: Trigger<T, W>) {
    super();
  }

  /**
   * `nested`, purging whenever it fires.
   *
   * @example
   * ```ts
   * windowed.trigger(PurgingTrigger.of(ContinuousEventTimeTrigger.of(Duration.ofSeconds(10))));
   * ```
   */
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger<T, W>(nested);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onProcessingTime(time, window, ctx));
  }

  override canMerge(): boolean {
    return this.nestedTrigger.canMerge();
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    this.nestedTrigger.onMerge(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nestedTrigger.clear(window, ctx);
  }

  override toString(): string {
    return `PurgingTrigger(${String(this.nestedTrigger)})`;
  }
}

function purging(result: TriggerResult): TriggerResult {
  return isFire(result) ? TriggerResult.FIRE_AND_PURGE : result;
}
