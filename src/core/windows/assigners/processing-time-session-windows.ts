import type { Namespace } from '../../state/keyed-state-backend.js';
import type { Trigger } from '../trigger.js';
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import { TimeWindow } from '../window.js';
import { type MergeCallback, MergingWindowAssigner, type WindowAssignerContext } from '../window-assigner.js';
import { requireDynamicGap, requireIntegers } from './assigner-checks.js';
import { mergeTimeWindows } from './merge-time-windows.js';
import type { SessionWindowTimeGapExtractor } from './session-window-time-gap-extractor.js';

/**
 * Groups elements into sessions by processing time (Flink's `ProcessingTimeSessionWindows` and
 * `DynamicProcessingTimeSessionWindows`): each element opens the window `[now, now + gap)` at the
 * current processing time (element timestamps are ignored), and windows that overlap or touch
 * merge, so a session ends after `gap` ms of wall-clock time without elements. Sessions fire when
 * the clock reaches their end.
 *
 * @example
 * ```ts
 * keyed.window(ProcessingTimeSessionWindows.withGap(Duration.ofMinutes(30))).sum('amount');
 * keyed.window(ProcessingTimeSessionWindows.withDynamicGap<Click>((c) => c.idleTimeoutMs));
 * ```
 */
export class ProcessingTimeSessionWindows<T = unknown> extends MergingWindowAssigner<T, TimeWindow> {
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
   * ProcessingTimeSessionWindows.withGap(Duration.ofSeconds(10));
   * ```
   */
  static withGap<T = unknown>(gap: number): ProcessingTimeSessionWindows<T> {
    requireIntegers('ProcessingTimeSessionWindows', { gap });
    if (gap <= 0)
      throw new RangeError(`ProcessingTimeSessionWindows parameters must satisfy 0 < gap, got ${gap}`);
    return new ProcessingTimeSessionWindows<T>(gap, undefined);
  }

  /**
   * Sessions whose gap each element chooses; the extractor must return a gap `> 0` (else the element
   * fails with an error).
   *
   * @example
   * ```ts
   * ProcessingTimeSessionWindows.withDynamicGap<Click>((c) => (c.premium ? 60_000 : 10_000));
   * ```
   */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    if (typeof extractor !== 'function') throw new TypeError('withDynamicGap needs a gap extractor function');
    return new ProcessingTimeSessionWindows<T>(undefined, extractor);
  }

  /** Whether each element chooses its gap. */
  isDynamic(): boolean {
    return this.gapExtractor !== undefined;
  }

  /** The single window `[now, now + gap)`. */
  assignWindows(element: T, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    const gap = this.gapExtractor ? requireDynamicGap(this.gapExtractor(element)) : this.gap!;
    return [new TimeWindow(now, now + gap)];
  }

  /** Merges overlapping and touching windows, as {@link mergeTimeWindows}. */
  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    mergeTimeWindows(windows, callback);
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
    return this.gapExtractor
      ? 'DynamicProcessingTimeSessionWindows()'
      : `ProcessingTimeSessionWindows(${this.gap})`;
  }
}
