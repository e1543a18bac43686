/**
 * Marker for "this record carries no timestamp" (Flink's `StreamRecord.hasTimestamp() == false`).
 * Kept as a number so records travel as `(value, timestamp)` pairs without boxing.
 */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/** The watermark a task starts with: nothing is known about event time yet. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;

/** The final watermark emitted when a bounded input ends; it fires every event-time timer. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/** Converts the internal timestamp to the public form (`null` when the record has none). */
export function timestampOrNull(timestamp: number): number | null {
  return timestamp === NO_TIMESTAMP ? null : timestamp;
}
