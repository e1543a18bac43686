import type { ReducingState } from '../../state/state.js';
import { ReducingStateDescriptor } from '../../state/state-descriptor.js';
import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import { TimeWindow, type Window } from '../window.js';

/**
 * Fires a window periodically in processing time, every `interval` ms (Flink's
 * `ContinuousProcessingTimeTrigger`). Firings happen at multiples of `interval` (the first one
 * after the processing time of the window's first element) and never later than
 * `window.maxTimestamp()`. The next firing time lives in the window's trigger state (a reducing min
 * state named `'trigger.processing-fire-time'`), so merged session windows keep the earliest one.
 *
 * It does not purge: wrap it in {@link PurgingTrigger} to emit only what arrived since the previous
 * firing. Unlike Flink, the firing at `window.maxTimestamp()` is the last one: Flink re-registers
 * the same time and relies on the window's cleanup to delete it, which loops for windows whose end
 * is already in the past (event-time windows with this trigger).
 *
 * @example
 * ```ts
 * // A running count per key, emitted every 5 seconds of wall-clock time.
 * keyed.window(GlobalWindows.create()).trigger(ContinuousProcessingTimeTrigger.of(5_000)).count();
 * ```
 */
export class ContinuousProcessingTimeTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly fireTimeDescriptor = new ReducingStateDescriptor<number>(
    'trigger.processing-fire-time',
    (a, b) => Math.min(a, b),
  );

  private constructor(readonly interval: number) {
    super();
  }

  /**
   * Fires every `interval` ms (a positive integer) of processing time.
   *
   * @example
   * ```ts
   * windowed.trigger(PurgingTrigger.of(ContinuousProcessingTimeTrigger.of(Duration.ofSeconds(10))));
   * ```
   */
  static of<T = unknown, W extends Window = Window>(interval: number): ContinuousProcessingTimeTrigger<T, W> {
    if (!Number.isSafeInteger(interval) || interval <= 0) {
      throw new RangeError(
        `ContinuousProcessingTimeTrigger interval must be a positive integer, got ${interval}`,
      );
    }
    return new ContinuousProcessingTimeTrigger<T, W>(interval);
  }

  onElement(_element: T, _timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    if (fireTime.get() === undefined) {
      const start = TimeWindow.getWindowStartWithOffset(ctx.getCurrentProcessingTime(), 0, this.interval);
      const next = Math.min(start + this.interval, window.maxTimestamp());
      fireTime.add(next);
      ctx.registerProcessingTimeTimer(next);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    if (fireTime.get() !== time) return TriggerResult.CONTINUE;
    fireTime.clear();
    const next = Math.min(time + this.interval, window.maxTimestamp());
    if (next > time) {
      fireTime.add(next);
      ctx.registerProcessingTimeTimer(next);
    }
    return TriggerResult.FIRE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDescriptor);
    const next = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor).get();
    // The merged windows' timers stay with their old namespaces: re-register in the new one.
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  clear(_window: W, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState<ReducingState<number>>(this.fireTimeDescriptor);
    const next = fireTime.get();
    if (next !== undefined) {
      ctx.deleteProcessingTimeTimer(next);
      fireTime.clear();
    }
  }

  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
}
