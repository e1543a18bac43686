/**
 * Event time, watermarks and timers: the public time API of the streaming core.
 *
 * @example
 * ```ts
 * import { WatermarkStrategy } from './core/time/index.js';
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Order>(2_000).withTimestampAssigner((o) => o.at);
 * ```
 */
export { AscendingTimestampsWatermarks } from './ascending-timestamps-watermarks.js';
export { BoundedOutOfOrdernessWatermarks } from './bounded-out-of-orderness-watermarks.js';
export type {
  InternalTimer,
  InternalTimerService,
  InternalTimerServiceOptions,
  KeyContext,
  Triggerable,
} from './internal-timer-service.js';
export { InternalTimerServiceImpl } from './internal-timer-service.js';
export { NoWatermarksGenerator } from './no-watermarks-generator.js';
export type { Cancellable, Clock, ProcessingTimeService } from './processing-time-service.js';
export { ManualClock, SYSTEM_CLOCK } from './processing-time-service.js';
export { StatusWatermarkValve } from './status-watermark-valve.js';
export type { HeapTimer } from './timer-heap.js';
export { TimerHeap } from './timer-heap.js';
export type { TimerService } from './timer-service.js';
export { SimpleTimerService } from './timer-service.js';
export type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkOutput,
} from './watermark-generator.js';
export { WatermarkOutputMultiplexer } from './watermark-output-multiplexer.js';
export type { WatermarkStatusOutput } from './watermark-status-output.js';
export type { TimestampAssignerObject, WatermarkGeneratorSupplier } from './watermark-strategy.js';
export { WatermarkStrategy } from './watermark-strategy.js';
export { WatermarkToDataOutput } from './watermark-to-data-output.js';
export { WatermarksWithIdleness } from './watermarks-with-idleness.js';
