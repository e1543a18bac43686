import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import { TimeWindow } from '../window.js';
import { WindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireIntegers, requireTimestamp } from './assigner-checks.js';
import { TumblingWindows } from './window-cache.js';

/**
 * Puts each element into the one window of `size` milliseconds containing its event timestamp
 * (Flink's `TumblingEventTimeWindows`). Windows are aligned to the epoch, shifted by `offset`: with
 * `of(Duration.ofDays(1), Duration.ofHours(-8))` days start at midnight UTC+8. Windows fire when the
 * watermark passes their end (the default {@link EventTimeTrigger}).
 *
 * @example
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of(Duration.ofMinutes(1))).sum('amount');
 * TumblingEventTimeWindows.of(10).assignWindows(e, 27, ctx); // [TimeWindow{start=20, end=30}]
 * ```
 */
export class TumblingEventTimeWindows<T = unknown> extends WindowAssigner<T, TimeWindow> {
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
   * TumblingEventTimeWindows.of(Duration.ofHours(1), Duration.ofMinutes(15)); // [00:15, 01:15), ...
   * ```
   */
  static of<T = unknown>(size: number, offset = 0): TumblingEventTimeWindows<T> {
    requireIntegers('TumblingEventTimeWindows', { size, offset });
    if (size <= 0 || Math.abs(offset) >= size) {
      throw new RangeError(
        `TumblingEventTimeWindows parameters must satisfy size > 0 and abs(offset) < size, got size=${size}, offset=${offset}`,
      );
    }
    return new TumblingEventTimeWindows<T>(size, offset);
  }

  assignWindows(_element: T, timestamp: number, _context: WindowAssignerContext): TimeWindow[] {
    return this.windows.of(requireTimestamp(timestamp));
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create<T>();
  }

  isEventTime(): boolean {
    return true;
  }

  windowFromNamespace(namespace: Namespace): TimeWindow {
    return TimeWindow.fromNamespace(namespace);
  }

  override toString(): string {
    return this.offset === 0
      ? `TumblingEventTimeWindows(${this.size})`
      : `TumblingEventTimeWindows(${this.size}, offset=${this.offset})`;
  }
}
