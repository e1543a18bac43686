import type { Evictor, EvictorContext, TimestampedValue } from '../evictor.js';
import type { Window } from '../window.js';

/**
 * Keeps only the last `maxCount` elements of a window, evicting the oldest (Flink's
 * `CountEvictor`), before the window function runs or, with `doEvictAfter`, after it. With a
 * `CountTrigger` on global windows this makes sliding count windows.
 *
 * @example
 * ```ts
 * // The last 100 elements, every 10 elements.
 * keyed.window(GlobalWindows.create()).evictor(CountEvictor.of(100)).trigger(CountTrigger.of(10));
 * ```
 */
export class CountEvictor<T = unknown, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly maxCount: number,
    readonly doEvictAfter: boolean,
  ) {}

  /**
   * Keeps the last `maxCount` (a non-negative integer) elements; evicts before the window function
   * unless `doEvictAfter`.
   *
   * @example
   * ```ts
   * CountEvictor.of(3).evictBefore(elements, elements.length, window, ctx); // the last 3 remain
   * ```
   */
  static of<T = unknown, W extends Window = Window>(
    maxCount: number,
    doEvictAfter = false,
  ): CountEvictor<T, W> {
    if (!Number.isSafeInteger(maxCount) || maxCount < 0) {
      throw new RangeError(`CountEvictor maxCount must be a non-negative integer, got ${maxCount}`);
    }
    return new CountEvictor<T, W>(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], size: number, _window: W, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: TimestampedValue<T>[], size: number, _window: W, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }

  private evict(elements: TimestampedValue<T>[], size: number): void {
    // Flink trusts `size` for how many to drop from the front; the array bounds the splice.
    if (size <= this.maxCount) return;
    elements.splice(0, size - this.maxCount);
  }

  toString(): string {
    return `CountEvictor(${this.maxCount}${this.doEvictAfter ? ', after' : ''})`;
  }
}
