/** Where a watermark generator emits (Flink's `WatermarkOutput`). */
export interface WatermarkOutput {
  emitWatermark(watermark: number): void;
  /** No more events for now: leave this input out of the downstream minimum watermark. */
  markIdle(): void;
  markActive(): void;
}

/**
 * Produces watermarks from the events it sees (punctuated) and/or on a timer (periodic, every
 * `autoWatermarkInterval` of processing time).
 */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts the event-time timestamp of an element; `recordTimestamp` is what the source gave. */
export type TimestampAssigner<T> = (element: T, recordTimestamp: number) => number;

/** What a generator supplier can use (Flink's `WatermarkGeneratorSupplier.Context`). */
export interface WatermarkGeneratorContext {
  /** Processing-time clock, e.g. for idleness detection. */
  currentProcessingTime(): number;
}
