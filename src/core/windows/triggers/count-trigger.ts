import type { ReducingState } from '../../state/state.js';
import { ReducingStateDescriptor } from '../../state/state-descriptor.js';
import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import type { Window } from '../window.js';

/**
 * Fires a window every `maxCount` elements (Flink's `CountTrigger`). The count lives in the
 * window's trigger state (a reducing state named `'trigger.count'`), resets at each firing, and is summed
 * when session windows merge; reaching the count by a merge fires with the next element. It does
 * not purge: wrap it in {@link PurgingTrigger} for tumbling count windows.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100))).sum('amount');
 * ```
 */
export class CountTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private readonly countDescriptor = new ReducingStateDescriptor<number>('trigger.count', (a, b) => a + b);

  private constructor(readonly maxCount: number) {
    super();
  }

  /**
   * Fires once the window holds `maxCount` (a positive integer) elements since its last firing.
   *
   * @example
   * ```ts
   * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10)); // fires at 10, 20, ... elements
   * ```
   */
  static of<T = unknown, W extends Window = Window>(maxCount: number): CountTrigger<T, W> {
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
      throw new RangeError(`CountTrigger maxCount must be a positive integer, got ${maxCount}`);
    }
    return new CountTrigger<T, W>(maxCount);
  }

  onElement(_element: T, _timestamp: number, _window: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState<ReducingState<number>>(this.countDescriptor);
    count.add(1);
    if (count.get()! >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.countDescriptor);
  }

  clear(_window: W, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.countDescriptor).clear();
  }

  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
