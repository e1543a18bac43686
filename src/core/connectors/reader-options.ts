/**
 * How many records a reader emits in one `pollNext` call by default. Large enough that the
 * per-call overhead vanishes, small enough that the task gets back to checkpoints, timers and
 * mail quickly.
 */
export const DEFAULT_MAX_RECORDS_PER_POLL = 256;

/** Options every built-in source reader understands. */
export interface ReaderOptions {
  /**
   * Upper bound on records emitted per `pollNext` call (default {@link DEFAULT_MAX_RECORDS_PER_POLL}).
   * A snapshot can only be taken between calls, so tests use small values for fine-grained cut points.
   */
  readonly maxRecordsPerPoll?: number;
}

/** Validates and defaults {@link ReaderOptions.maxRecordsPerPoll}. */
export function maxRecordsPerPoll(options: ReaderOptions | undefined): number {
  const value = options?.maxRecordsPerPoll ?? DEFAULT_MAX_RECORDS_PER_POLL;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`maxRecordsPerPoll must be a positive integer, got ${value}`);
  }
  return value;
}
