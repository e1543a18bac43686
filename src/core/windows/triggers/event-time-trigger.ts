import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import type { Window } from '../window.js';

/**
 * Fires a window once the watermark passes its end (Flink's `EventTimeTrigger`), the default of
 * event-time assigners. It registers an event-time timer at `window.maxTimestamp()`; an element
 * that arrives after the watermark passed the end (late, but within the allowed lateness) fires the
 * window again at once.
 *
 * @example
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of(60_000)).trigger(EventTimeTrigger.create());
 * ```
 */
export class EventTimeTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private constructor() {
    super();
  }

  /**
   * The event-time trigger.
   *
   * @example
   * ```ts
   * windowed.trigger(PurgingTrigger.of(EventTimeTrigger.create()));
   * ```
   */
  static create<T = unknown, W extends Window = Window>(): EventTimeTrigger<T, W> {
    return new EventTimeTrigger<T, W>();
  }

  onElement(_element: T, _timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
      // The watermark is already past the window: a late element within allowed lateness.
      return TriggerResult.FIRE;
    }
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: W, _ctx: TriggerContext): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    // Only if the watermark is not past the merged window yet: otherwise the operator fires it for
    // the element that caused the merge (onElement answers FIRE), and a timer in the past would
    // fire it a second time.
    const end = window.maxTimestamp();
    if (end > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(end);
  }

  clear(window: W, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'EventTimeTrigger()';
  }
}
