import type { Evictor, EvictorContext, TimestampedValue } from '../evictor.js';
import type { Window } from '../window.js';

/**
 * The distance between two elements, for {@link DeltaEvictor} (Flink's `DeltaFunction`).
 *
 * @example
 * ```ts
 * const priceDelta: DeltaFunction<Tick> = (older, newer) => Math.abs(newer.price - older.price);
 * ```
 */
export type DeltaFunction<T> = (oldDataPoint: T, newDataPoint: T) => number;

/**
 * Evicts the elements of a window whose delta to the window's last element is `>= threshold`
 * (Flink's `DeltaEvictor`), before the window function or, with `doEvictAfter`, after it.
 *
 * @example
 * ```ts
 * // Every 10 ticks, the ticks whose price is within 5 of the latest one.
 * keyed
 *   .window(GlobalWindows.create())
 *   .evictor(DeltaEvictor.of<Tick>(5, (a, b) => Math.abs(a.price - b.price)))
 *   .trigger(CountTrigger.of(10));
 * ```
 */
export class DeltaEvictor<T, W extends Window = Window> implements Evictor<T, W> {
  private constructor(
    readonly threshold: number,
    readonly deltaFunction: DeltaFunction<T>,
    readonly doEvictAfter: boolean,
  ) {}

  /**
   * Evicts elements at a delta `>= threshold` from the last element.
   *
   * @example
   * ```ts
   * DeltaEvictor.of<number>(10, (a, b) => Math.abs(a - b), true); // evict after the window function
   * ```
   */
  static of<T, W extends Window = Window>(
    threshold: number,
    deltaFunction: DeltaFunction<T>,
    doEvictAfter = false,
  ): DeltaEvictor<T, W> {
    if (Number.isNaN(threshold)) throw new RangeError('DeltaEvictor threshold must be a number, got NaN');
    if (typeof deltaFunction !== 'function') throw new TypeError('DeltaEvictor needs a delta function');
    return new DeltaEvictor<T, W>(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[], _size: number, _window: W, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0) return;
    const last = elements[elements.length - 1]!.value;
    let kept = 0;
    for (const e of elements) {
      if (!(this.deltaFunction(e.value, last) >= this.threshold)) elements[kept++] = e;
    }
    elements.length = kept;
  }

  toString(): string {
    return `DeltaEvictor(${this.threshold}${this.doEvictAfter ? ', after' : ''})`;
  }
}
