/**
 * Whether an async I/O operator keeps the input order (Flink's `AsyncDataStream.OutputMode`).
 *
 * @example
 * ```ts
 * new AsyncWaitOperator(fn, { outputMode: AsyncOutputMode.UNORDERED, timeout: 1000, capacity: 100 });
 * ```
 */
export enum AsyncOutputMode {
  /** Results leave in input order: a slow request holds back the ones after it. */
  ORDERED = 'ORDERED',
  /** Results leave as requests complete, but never across a watermark. */
  UNORDERED = 'UNORDERED',
}
