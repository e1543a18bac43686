import type { WatermarkOutput } from './watermark-generator.js';
import type { WatermarkStatusOutput } from './watermark-status-output.js';

/**
 * Adapts a stream's {@link WatermarkStatusOutput} to the {@link WatermarkOutput} that generators
 * write to (Flink's `WatermarkToDataOutput`): drops watermarks that do not advance, so generators
 * may re-emit the same value on every periodic emit, and forwards idleness only when it changes.
 * A watermark emitted while idle marks the stream active first.
 *
 * @example
 * ```ts
 * const wmOut = new WatermarkToDataOutput(output);
 * generator.onEvent(value, ts, wmOut);
 * ```
 */
export class WatermarkToDataOutput implements WatermarkOutput {
  private maxWatermarkSoFar = Number.NEGATIVE_INFINITY;
  private idle = false;

  constructor(private readonly output: WatermarkStatusOutput) {}

  emitWatermark(watermark: number): void {
    // Also drops NaN, which compares false with everything.
    if (!(watermark > this.maxWatermarkSoFar)) return;
    this.maxWatermarkSoFar = watermark;
    this.markActive();
    this.output.emitWatermark(watermark);
  }

  markIdle(): void {
    if (!this.idle) {
      this.idle = true;
      this.output.emitWatermarkStatus(true);
    }
  }

  markActive(): void {
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    }
  }

  /** The highest watermark forwarded so far. */
  getCurrentWatermark(): number {
    return this.maxWatermarkSoFar;
  }

  /** Whether idle status was forwarded last. */
  isIdle(): boolean {
    return this.idle;
  }
}
