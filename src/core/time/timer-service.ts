import { VOID_NAMESPACE } from '../state/keyed-state-backend.js';
import type { InternalTimerService } from './internal-timer-service.js';

/**
 * Timers and time for user functions, scoped to the current key (Flink's `TimerService`). Given to
 * `KeyedProcessFunction` through its context; `onTimer` is called when a timer fires.
 *
 * @example
 * ```ts
 * processElement(value, ctx, out) {
 *   // fire one minute of event time after this element
 *   ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 60_000);
 * }
 * ```
 */
export interface TimerService {
  /** The current processing time (wall clock, or the manual clock in tests). */
  currentProcessingTime(): number;
  /** The current event-time watermark of the operator (`-Infinity` before the first). */
  currentWatermark(): number;
  /** Fires once the watermark reaches `time`; registering the same time twice for a key fires once. */
  registerEventTimeTimer(time: number): void;
  /** Fires once processing time reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Removes an event-time timer of the current key; no-op if there is none. */
  deleteEventTimeTimer(time: number): void;
  /** Removes a processing-time timer of the current key; no-op if there is none. */
  deleteProcessingTimeTimer(time: number): void;
}

/**
 * The {@link TimerService} of keyed functions: an {@link InternalTimerService} with every timer in
 * the void namespace (Flink's `SimpleTimerService`).
 */
export class SimpleTimerService implements TimerService {
  constructor(private readonly internalTimerService: InternalTimerService) {}

  currentProcessingTime(): number {
    return this.internalTimerService.currentProcessingTime();
  }

  currentWatermark(): number {
    return this.internalTimerService.currentWatermark();
  }

  registerEventTimeTimer(time: number): void {
    this.internalTimerService.registerEventTimeTimer(VOID_NAMESPACE, time);
  }

  registerProcessingTimeTimer(time: number): void {
    this.internalTimerService.registerProcessingTimeTimer(VOID_NAMESPACE, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.internalTimerService.deleteEventTimeTimer(VOID_NAMESPACE, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.internalTimerService.deleteProcessingTimeTimer(VOID_NAMESPACE, time);
  }
}
