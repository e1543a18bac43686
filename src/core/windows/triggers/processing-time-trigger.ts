import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import type { Window } from '../window.js';

/**
 * Fires a window when the processing-time clock reaches its end (Flink's `ProcessingTimeTrigger`),
 * the default of processing-time assigners: each element registers a processing-time timer at
 * `window.maxTimestamp()`.
 *
 * @example
 * ```ts
 * keyed.window(TumblingProcessingTimeWindows.of(5_000)).trigger(ProcessingTimeTrigger.create());
 * ```
 */
export class ProcessingTimeTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private constructor() {
    super();
  }

  /**
   * The processing-time trigger.
   *
   * @example
   * ```ts
   * windowed.trigger(PurgingTrigger.of(ProcessingTimeTrigger.create()));
   * ```
   */
  static create<T = unknown, W extends Window = Window>(): ProcessingTimeTrigger<T, W> {
    return new ProcessingTimeTrigger<T, W>();
  }

  onElement(_element: T, _timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  /** Fires on any of its timers: the only one it registers is the window's end. */
  onProcessingTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.FIRE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    // A timer at or before the current time would fire the merged window right away, although the
    // operator rejects such merges anyway; Flink skips it too.
    const end = window.maxTimestamp();
    if (end > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(end);
  }

  clear(window: W, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}
