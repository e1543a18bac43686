import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type { Evictor, EvictorContext, TimestampedValue } from '../evictor.js';
import type { Window } from '../window.js';

/**
 * Keeps only the elements of a window within `windowSize` ms of its newest element: those with
 * `timestamp > max(timestamps) - windowSize` (Flink's `TimeEvictor`). Evicts before the window
 * function or, with `doEvictAfter`, after it. As in Flink, it does nothing when the first element
 * has no timestamp (processing-time jobs); an element without timestamp among timestamped ones is
 * evicted.
 *
 * @example
 * ```ts
 * // Every 10 elements, those of the last minute of event time.
 * keyed.window(GlobalWindows.create()).evictor(TimeEvictor.of(60_000)).trigger(CountTrigger.of(10));
 * ```
 */
export class TimeEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly windowSize: number,
    readonly doEvictAfter: boolean,
  ) {}

  /**
   * Keeps the elements of the last `windowSize` ms (a non-negative number) before the newest one.
   *
   * @example
   * ```ts
   * TimeEvictor.of(Duration.ofSeconds(30), true); // evict after the window function
   * ```
   */
  static of<T = unknown, W extends Window = Window>(
    windowSize: number,
    doEvictAfter = false,
  ): TimeEvictor<T, W> {
    if (!(windowSize >= 0) || !Number.isFinite(windowSize)) {
      throw new RangeError(`TimeEvictor windowSize must be a finite number >= 0, got ${windowSize}`);
    }
    return new TimeEvictor<T, W>(windowSize, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    // Flink looks at the first element only to decide whether the window has timestamps at all.
    if (elements.length === 0 || elements[0]!.timestamp === NO_TIMESTAMP) return;
    let newest = NO_TIMESTAMP;
    for (const e of elements) if (e.timestamp > newest) newest = e.timestamp;
    const cutoff = newest - this.windowSize;
    let kept = 0;
    for (const e of elements) if (e.timestamp > cutoff) elements[kept++] = e;
    elements.length = kept;
  }

  toString(): string {
    return `TimeEvictor(${this.windowSize}${this.doEvictAfter ? ', after' : ''})`;
  }
}
