import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { NeverTrigger } from '../triggers/never-trigger.js';
import { GlobalWindow } from '../window.js';
import { WindowAssigner, type WindowAssignerContext } from '../window-assigner.js';

/**
 * Puts every element of a key into the single {@link GlobalWindow} (Flink's `GlobalWindows`). Its
 * default trigger never fires, so set one: count windows are global windows with a
 * `CountTrigger`.
 *
 * @example
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100))).sum('amount');
 * ```
 */
export class GlobalWindows<T = unknown> extends WindowAssigner<T, GlobalWindow> {
  private constructor() {
    super();
  }

  /**
   * The global window assigner, with a trigger that never fires.
   *
   * @example
   * ```ts
   * keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(10));
   * ```
   */
  static create<T = unknown>(): GlobalWindows<T> {
    return new GlobalWindows<T>();
  }

  assignWindows(_element: T, _timestamp: number, _context: WindowAssignerContext): GlobalWindow[] {
    return [GlobalWindow.get()];
  }

  getDefaultTrigger(): Trigger<T, GlobalWindow> {
    return NeverTrigger.create<T>();
  }

  /** `false`, as in Flink: the global window has no end, so neither clock applies. */
  isEventTime(): boolean {
    return false;
  }

  windowFromNamespace(_namespace: Namespace): GlobalWindow {
    return GlobalWindow.get();
  }

  override toString(): string {
    return 'GlobalWindows()';
  }
}
