import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';

/**
 * Periodic generator for events that arrive at most `outOfOrdernessMs` late (Flink's
 * `BoundedOutOfOrdernessWatermarks`). On each periodic emit the watermark is
 * `maxTimestamp - outOfOrdernessMs - 1`: an event with timestamp `t` may still arrive until the
 * watermark passes `t`, so events exactly `outOfOrdernessMs` late are not late.
 *
 * Nothing is emitted before the first event with a timestamp: Flink starts its maximum at
 * `Long.MIN_VALUE + outOfOrderness + 1` to emit `Long.MIN_VALUE`; with `-Infinity` as the minimum
 * watermark, emitting nothing is the same thing.
 *
 * @example
 * ```ts
 * const gen = new BoundedOutOfOrdernessWatermarks<Event>(5_000);
 * gen.onEvent(e, 10_000, out);
 * gen.onPeriodicEmit(out); // out.emitWatermark(4_999)
 * ```
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = Number.NEGATIVE_INFINITY;

  constructor(readonly outOfOrdernessMs: number) {
    if (!(outOfOrdernessMs >= 0) || !Number.isFinite(outOfOrdernessMs)) {
      throw new Error(`outOfOrdernessMs must be a finite number >= 0, got ${outOfOrdernessMs}`);
    }
  }

  onEvent(_event: T, eventTimestamp: number, _output: WatermarkOutput): void {
    // `>` is false for NaN and for NO_TIMESTAMP (-Infinity), so records without a time are ignored.
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== Number.NEGATIVE_INFINITY) {
      output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
    }
  }
}
