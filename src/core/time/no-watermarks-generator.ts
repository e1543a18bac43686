import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';

/**
 * Emits no watermarks (Flink's `NoWatermarksGenerator`): for processing-time jobs, or when
 * watermarks are generated further downstream. The stream's watermark stays at the minimum until a
 * bounded input ends and the final `MAX_WATERMARK` passes.
 */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(_event: T, _eventTimestamp: number, _output: WatermarkOutput): void {}

  onPeriodicEmit(_output: WatermarkOutput): void {}
}
