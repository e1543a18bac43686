import { type OnMergeContext, Trigger, type TriggerContext, TriggerResult } from '../trigger.js';
import type { Window } from '../window.js';

/**
 * A trigger that never fires (Flink's `GlobalWindows.NeverTrigger`): the default of
 * {@link GlobalWindows}, whose single window has no end. It keeps no state and no timers.
 *
 * @example
 * ```ts
 * GlobalWindows.create().getDefaultTrigger(); // a NeverTrigger: set your own with .trigger(...)
 * ```
 */
export class NeverTrigger<T = unknown, W extends Window = Window> extends Trigger<T, W> {
  private constructor() {
    super();
  }

  /**
   * A trigger that never fires.
   *
   * @example
   * ```ts
   * keyed.window(GlobalWindows.create()).trigger(NeverTrigger.create()); // collects, never emits
   * ```
   */
  static create<T = unknown, W extends Window = Window>(): NeverTrigger<T, W> {
    return new NeverTrigger<T, W>();
  }

  onElement(_element: T, _timestamp: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onEventTime(_time: number, _window: W, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  /** Nothing to merge; kept as in Flink, where `canMerge()` still answers `false`. */
  override onMerge(_window: W, _ctx: OnMergeContext): void {}

  clear(_window: W, _ctx: TriggerContext): void {}

  override toString(): string {
    return 'NeverTrigger()';
  }
}
