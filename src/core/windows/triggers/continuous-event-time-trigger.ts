import type { ReducingState } from '../../state/state.js';
import { ReducingStateDescriptor } from '../../state/state-descriptor.js';
import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import { TimeWindow, type Window } from '../window.js';

/**
 * Fires a window periodically in event time, every `interval` ms, and once more when the watermark
 * passes the window's end (Flink's `ContinuousEventTimeTrigger`). Firings happen at multiples of
 * `interval` (the first one after the first element's timestamp) and never later than
 * `window.maxTimestamp()`. The next firing time lives in the window's trigger state (a reducing
 * min state named `'trigger.fire-time'`), so merged session windows keep the earliest one.
 *
 * It does not purge: each firing sees everything so far. Wrap it in {@link PurgingTrigger} to
 * emit only what arrived since the previous firing.
 *
 * Unlike Flink, which aligns with Java's truncating `%`, the first firing of a negative timestamp
 * is the next multiple of `interval` above it (`-3` with interval 10 fires at 0, not 10). Elements
 * without a timestamp do not start the periodic firings.
 *
 * @example
 * ```ts
 * // Hourly windows with an early result every minute.
 * keyed
 *   .window(TumblingEventTimeWindows.of(Duration.ofHours(1)))
 *   .trigger(ContinuousEventTimeTrigger.of(Duration.ofMinutes(1)))
 *   .sum('amount');
 * ```
 */
export class ContinuousEventTimeTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly fireTimeDescriptor = new ReducingStateDescriptor<number>('trigger.fire-time', (a, b) =>
    Math.min(a, b),
  );

  private constructor(readonly interval: number) {
    super();
  }

  /**
   * Fires every `interval` ms (a positive integer) of event time and at the window's end.
   *
   * @example
   * ```ts
   * windowed.trigger(ContinuousEventTimeTrigger.of(Duration.ofSeconds(10)));
   * ```
   */
  static of<T = unknown, W extends Window = Window>(interval: number): ContinuousEventTimeTrigger<T, W> {
    if (!Number.isSafeInteger(interval) || interval <= 0) {
      throw new RangeError(`ContinuousEventTimeTrigger interval must be a positive integer, got ${interval}`);
    }
    return new ContinuousEventTimeTrigger<T, W>(interval);
  }

  onElement(_element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
      // The watermark is already past the window: a late element within allowed lateness.
      return TriggerResult.FIRE;
    }
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    if (fireTime.get() === undefined && Number.isFinite(timestamp)) {
      const start = TimeWindow.getWindowStartWithOffset(timestamp, 0, this.interval);
      this.registerNextFireTime(start, window, ctx, fireTime);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx, fireTime);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDescriptor);
    const next = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor).get();
    // The merged windows' timers stay with their old namespaces: re-register in the new one.
    if (next !== undefined) ctx.registerEventTimeTimer(next);
    // Flink leaves the end timer to the next onElement; registering it here as EventTimeTrigger
    // does makes the merged window fire even if the operator calls nothing else.
    const end = window.maxTimestamp();
    if (end > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(end);
  }

  clear(window: W, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    const next = fireTime.get();
    if (next !== undefined) {
      ctx.deleteEventTimeTimer(next);
      fireTime.clear();
    }
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }

  private registerNextFireTime(
    time: number,
    window: W,
    ctx: TriggerContext,
    fireTime: ReducingState<number>,
  ): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    ctx.registerEventTimeTimer(next);
  }
}
