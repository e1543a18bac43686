/**
 * Computes the session gap (in ms, `> 0`) from an element, for dynamic session windows (Flink's
 * `SessionWindowTimeGapExtractor`). The session of an element lasts `[ts, ts + gap)`, so elements
 * with a longer gap keep their session open longer.
 *
 * @example
 * ```ts
 * const gapByTier: SessionWindowTimeGapExtractor<Click> = (c) => (c.premium ? 60_000 : 10_000);
 * keyed.window(EventTimeSessionWindows.withDynamicGap(gapByTier));
 * ```
 */
export type SessionWindowTimeGapExtractor<T> = (element: T) => number;
