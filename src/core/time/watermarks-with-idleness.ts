import type {
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkOutput,
} from './watermark-generator.js';

/**
 * Wraps a generator and marks the output idle when no event arrived for `idleTimeoutMs` of
 * processing time (Flink's `WatermarksWithIdleness`), so a quiet partition does not hold back the
 * downstream watermark. The next event marks the output active again.
 *
 * Inactivity is only looked at on periodic emits, which keeps the per-event path free of clock
 * reads: the first periodic emit without activity starts the inactivity timer and a later one
 * declares idleness once more than `idleTimeoutMs` passed since. Idleness is therefore detected
 * between `idleTimeoutMs` and `idleTimeoutMs + autoWatermarkInterval` after the last event.
 *
 * While idle the wrapped generator's periodic emit is skipped, so it cannot re-activate the output.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private activitySinceLastCheck = false;
  /** Processing time of the first periodic check that saw no activity; NaN while not counting. */
  private inactiveSince = Number.NaN;
  private idle = false;

  constructor(
    private readonly watermarks: WatermarkGenerator<T>,
    readonly idleTimeoutMs: number,
    private readonly clock: WatermarkGeneratorContext,
  ) {
    if (!(idleTimeoutMs > 0)) throw new Error(`idleTimeoutMs must be > 0, got ${idleTimeoutMs}`);
  }

  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.activitySinceLastCheck = true;
    if (this.idle) {
      this.idle = false;
      // Before the wrapped generator may emit a watermark for this event.
      output.markActive();
    }
    this.watermarks.onEvent(event, eventTimestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.checkIfIdle()) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }

  /** Whether the output is currently marked idle by this wrapper. */
  isIdle(): boolean {
    return this.idle;
  }

  private checkIfIdle(): boolean {
    if (this.activitySinceLastCheck) {
      this.activitySinceLastCheck = false;
      this.inactiveSince = Number.NaN;
      return false;
    }
    const now = this.clock.currentProcessingTime();
    if (Number.isNaN(this.inactiveSince)) {
      this.inactiveSince = now;
      return false;
    }
    return now - this.inactiveSince > this.idleTimeoutMs;
  }
}
