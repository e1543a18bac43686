import type { SourceSplit } from './source.js';

/**
 * A contiguous range of record indexes `[start, end)` and the next index to emit. Used by the
 * sources whose records are a function of their index (elements of an array, numbers of a
 * sequence, generated records). Plain JSON-safe data, as snapshots require.
 */
export interface IndexRangeSplit extends SourceSplit {
  readonly splitId: string;
  /** First index of the range (inclusive). */
  readonly start: number;
  /** End of the range (exclusive). */
  readonly end: number;
  /** The next index to emit: `start` for a fresh split, `end` once it is done. */
  readonly position: number;
}

/**
 * Cuts `[start, end)` into at most `count` contiguous ranges whose sizes differ by at most one,
 * in order; empty ranges are left out.
 *
 * @example
 * ```ts
 * splitIndexRange('seq', 0, 10, 3); // [0,4) [4,7) [7,10)
 * ```
 */
export function splitIndexRange(
  idPrefix: string,
  start: number,
  end: number,
  count: number,
): IndexRangeSplit[] {
  if (!Number.isSafeInteger(start) || !(Number.isSafeInteger(end) || end === 2 ** 53)) {
    throw new RangeError(`index range bounds must be safe integers, got [${start}, ${end})`);
  }
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`split count must be >= 1, got ${count}`);
  const size = end - start;
  const splits: IndexRangeSplit[] = [];
  if (size <= 0) return splits;
  const n = Math.min(count, size);
  const base = Math.floor(size / n);
  const extra = size - base * n;
  let from = start;
  for (let i = 0; i < n; i++) {
    const to = from + base + (i < extra ? 1 : 0);
    splits.push({ splitId: `${idPrefix}-${i}`, start: from, end: to, position: from });
    from = to;
  }
  return splits;
}
