import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import { TimeWindow } from '../window.js';
import { type MergeCallback, MergingWindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireDynamicGap, requireIntegers, requireTimestamp } from './assigner-checks.js';
import { mergeTimeWindows } from './merge-time-windows.js';
import type { SessionWindowTimeGapExtractor } from './session-window-time-gap-extractor.js';

/**
 * Groups elements into sessions by event time (Flink's `EventTimeSessionWindows` and
 * `DynamicEventTimeSessionWindows`): each element opens the window `[ts, ts + gap)`, and windows
 * that overlap or touch merge, so a session ends after a gap without elements. Sessions fire when
 * the watermark passes their end.
 *
 * @example
 * ```ts
 * keyed.window(EventTimeSessionWindows.withGap(Duration.ofMinutes(30))).sum('amount');
 * keyed.window(EventTimeSessionWindows.withDynamicGap<Click>((c) => c.timeoutMs));
 * ```
 */
export class EventTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T, TimeWindow> {
  private constructor(
    /** The fixed gap, `undefined` for dynamic gaps. */
    readonly gap: number | undefined,
    private readonly gapExtractor: SessionWindowTimeGapExtractor<T> | undefined,
  ) {
    super();
  }

  /**
   * Sessions that end after `gap` ms (`> 0`) without elements.
   *
   * @example
   * ```ts
   * EventTimeSessionWindows.withGap(Duration.ofSeconds(10));
   * ```
   */
  static withGap<T = unknown>(gap: number): EventTimeSessionWindows<T> {
    requireIntegers('EventTimeSessionWindows', { gap });
    if (gap <= 0) throw new RangeError(`EventTimeSessionWindows parameters must satisfy 0 < gap, got ${gap}`);
    return new EventTimeSessionWindows<T>(gap, undefined);
  }

  /**
   * Sessions whose gap each element chooses; the extractor must return a gap `> 0` (else the element
   * fails with an error).
   *
   * @example
   * ```ts
   * EventTimeSessionWindows.withDynamicGap<Click>((c) => (c.premium ? 60_000 : 10_000));
   * ```
   */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): EventTimeSessionWindows<T> {
    if (typeof extractor !== 'function') throw new TypeError('withDynamicGap needs a gap extractor function');
    return new EventTimeSessionWindows<T>(undefined, extractor);
  }

  /** Whether each element chooses its gap. */
  isDynamic(): boolean {
    return this.gapExtractor !== undefined;
  }

  /** The single window `[timestamp, timestamp + gap)`. */
  assignWindows(element: T, timestamp: number, _context: WindowAssignerContext): TimeWindow[] {
    const ts = requireTimestamp(timestamp);
    const gap = this.gapExtractor ? requireDynamicGap(this.gapExtractor(element)) : this.gap!;
    return [new TimeWindow(ts, ts + gap)];
  }

  /** Merges overlapping and touching windows, as {@link mergeTimeWindows}. */
  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    mergeTimeWindows(windows, callback);
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
    return this.gapExtractor ? 'DynamicEventTimeSessionWindows()' : `EventTimeSessionWindows(${this.gap})`;
  }
}
