import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import { TimeWindow } from '../window.js';
import { WindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireIntegers, requireTimestamp } from './assigner-checks.js';
import { SlidingWindows } from './window-cache.js';

/**
 * Puts each element into every window of `size` milliseconds containing its event timestamp, with a
 * new window starting every `slide` ms (Flink's `SlidingEventTimeWindows`): with `size` a multiple
 * of `slide`, each element lands in `size / slide` windows. Windows are aligned to the epoch,
 * shifted by `offset`, and fire when the watermark passes their end.
 *
 * @example
 * ```ts
 * keyed.window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5))).sum('amount');
 * SlidingEventTimeWindows.of(10, 5).assignWindows(e, 7, ctx); // [5,15), [0,10)
 * ```
 */
export class SlidingEventTimeWindows<T = unknown> extends WindowAssigner<T, TimeWindow> {
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
    this.windows = new SlidingWindows(size, slide, offset);
  }

  private readonly windows: SlidingWindows;

  /**
   * Windows of `size` ms every `slide` ms, shifted by `offset` (`size > 0`, `|offset| < slide`).
   *
   * @example
   * ```ts
   * SlidingEventTimeWindows.of(Duration.ofHours(1), Duration.ofMinutes(10));
   * ```
   */
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingEventTimeWindows<T> {
    requireIntegers('SlidingEventTimeWindows', { size, slide, offset });
    if (size <= 0 || slide <= 0 || Math.abs(offset) >= slide) {
      throw new RangeError(
        `SlidingEventTimeWindows parameters must satisfy size > 0, slide > 0 and abs(offset) < slide, got size=${size}, slide=${slide}, offset=${offset}`,
      );
    }
    return new SlidingEventTimeWindows<T>(size, slide, offset);
  }

  /** The windows containing `timestamp`, latest start first (Flink's order). */
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
      ? `SlidingEventTimeWindows(${this.size}, ${this.slide})`
      : `SlidingEventTimeWindows(${this.size}, ${this.slide}, offset=${this.offset})`;
  }
}
