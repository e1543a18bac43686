import type { Window } from './window.js';

/** An element of a window with its timestamp, as evictors see it. */
export interface TimestampedValue<T> {
  readonly value: T;
  /** `NO_TIMESTAMP` (-Infinity) when the element has none. */
  readonly timestamp: number;
}

/** What an evictor knows besides the elements. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window before and/or after the window function runs (Flink's
 * `Evictor`). It edits `elements` in place (splice); removed elements are gone from the window.
 */
export interface Evictor<T, W extends Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}
