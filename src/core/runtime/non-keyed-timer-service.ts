import type { ProcessingTimeService } from '../time/processing-time-service.js';
import type { TimerService } from '../time/timer-service.js';

/** Timer service of non-keyed operators: time is readable, timers are not allowed (as in Flink). */
export class NonKeyedTimerService implements TimerService {
  constructor(
    private readonly processingTime: ProcessingTimeService,
    private readonly watermark: () => number,
  ) {}

  currentProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  currentWatermark(): number {
    return this.watermark();
  }

  registerEventTimeTimer(): void {
    throw unsupported();
  }

  registerProcessingTimeTimer(): void {
    throw unsupported();
  }

  deleteEventTimeTimer(): void {
    throw unsupported();
  }

  deleteProcessingTimeTimer(): void {
    throw unsupported();
  }
}

function unsupported(): Error {
  return new Error('Setting timers is only supported on keyed streams (use keyBy() before process()).');
}
