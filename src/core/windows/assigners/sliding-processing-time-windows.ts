import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import { TimeWindow } from '../window.js';
import { WindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireIntegers } from './assigner-checks.js';
import { SlidingWindows } from './window-cache.js';

/**
 * Puts each element into every window of `size` milliseconds containing the current processing
 * time, with a new window starting every `slide` ms (Flink's `SlidingProcessingTimeWindows`).
 * Element timestamps are ignored; windows fire when the clock reaches their end.
 *
 * @example
 * ```ts
 * keyed.window(SlidingProcessingTimeWindows.of(Duration.ofMinutes(1), Duration.ofSeconds(10))).count();
 * ```
 */
export class SlidingProcessingTimeWindows<T = unknown> extends WindowAssigner<T, TimeWindow> {
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
   * SlidingProcessingTimeWindows.of(Duration.ofSeconds(30), Duration.ofSeconds(10));
   * ```
   */
  static of<T = unknown>(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows<T> {
    requireIntegers('SlidingProcessingTimeWindows', { size, slide, offset });
    if (size <= 0 || slide <= 0 || Math.abs(offset) >= slide) {
      throw new RangeError(
        `SlidingProcessingTimeWindows parameters must satisfy size > 0, slide > 0 and abs(offset) < slide, got size=${size}, slide=${slide}, offset=${offset}`,
      );
    }
    return new SlidingProcessingTimeWindows<T>(size, slide, offset);
  }

  /** The windows containing the current processing time, latest start first (Flink's order). */
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
      ? `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`
      : `SlidingProcessingTimeWindows(${this.size}, ${this.slide}, offset=${this.offset})`;
  }
}
