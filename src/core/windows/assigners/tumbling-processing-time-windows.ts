import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import { TimeWindow } from '../window.js';
import { WindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireIntegers } from './assigner-checks.js';
import { TumblingWindows } from './window-cache.js';

/**
 * Puts each element into the one window of `size` milliseconds containing the current processing
 * time (Flink's `TumblingProcessingTimeWindows`); element timestamps are ignored. Windows are
 * aligned to the epoch, shifted by `offset`, and fire when the clock reaches their end (the default
 * {@link ProcessingTimeTrigger}).
 *
 * @example
 * ```ts
 * keyed.window(TumblingProcessingTimeWindows.of(Duration.ofSeconds(5))).sum('amount');
 * ```
 */
export class TumblingProcessingTimeWindows<T = unknown> extends WindowAssigner<T, TimeWindow> {
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
    this.windows = new TumblingWindows(size, offset);
  }

  private readonly windows: TumblingWindows;

  /**
   * Windows of `size` ms starting at multiples of `size` plus `offset` (`|offset| < size`).
   *
   * @example
   * ```ts
   * TumblingProcessingTimeWindows.of(Duration.ofDays(1), Duration.ofHours(-8)); // days of UTC+8
   * ```
   */
  static of<T = unknown>(size: number, offset = 0): TumblingProcessingTimeWindows<T> {
    requireIntegers('TumblingProcessingTimeWindows', { size, offset });
    if (size <= 0 || Math.abs(offset) >= size) {
      throw new RangeError(
        `TumblingProcessingTimeWindows parameters must satisfy size > 0 and abs(offset) < size, got size=${size}, offset=${offset}`,
      );
    }
    return new TumblingProcessingTimeWindows<T>(size, offset);
  }

  assignWindows(_element: T, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    return this.windows.of(context.getCurrentProcessingTime());
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create<T>();
  }

  isEventTime(): boolean {
    return false;
  }

  windowFromNamespace(namespace: Namespace): TimeWindow {
    return TimeWindow.fromNamespace(namespace);
  }

  override toString(): string {
    return this.offset === 0
      ? `TumblingProcessingTimeWindows(${this.size})`
      : `TumblingProcessingTimeWindows(${this.size}, offset=${this.offset})`;
  }
}
