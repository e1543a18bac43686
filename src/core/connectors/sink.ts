/** What a sink writer knows about the record being written. */
export interface SinkWriterContext {
  /** The record's timestamp, or `null` if it has none. */
  timestamp(): number | null;
  currentWatermark(): number;
}

/** Where a writer runs. */
export interface SinkInitContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/**
 * Writes records of one parallel instance. When `write` returns a promise the task waits for it
 * before the next record: that is how a slow sink slows its source (backpressure) instead of
 * buffering without bound.
 */
export interface SinkWriter<T> {
  write(value: T, context: SinkWriterContext): void | Promise<void>;
  /** Flushes buffered output; `endOfInput` is true for the last flush of a bounded job. */
  flush(endOfInput: boolean): void | Promise<void>;
  /**
   * Flink's `SinkWriter.writeWatermark`: the sink's event-time clock advanced to `watermark`
   * (after every record before it was written). Optional; sinks that forward event time, such as
   * a repartition topic's, implement it.
   */
  writeWatermark?(watermark: number): void;
  /** The sink's input became idle (`true`) or active again (`false`). Optional, as `writeWatermark`. */
  writeWatermarkStatus?(idle: boolean): void;
  close(): void | Promise<void>;
}

/**
 * A sink (Flink's Sink V2 `Sink`). The two-phase-commit variant extends this with committables.
 *
 * @example
 * ```ts
 * stream.sinkTo(new PrintSink('out'));
 * ```
 */
export interface Sink<T> {
  createWriter(context: SinkInitContext): SinkWriter<T>;
}
