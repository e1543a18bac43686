import type { Cancellable, ProcessingTimeService } from '../../../src/core/time/processing-time-service.js';
import { ManualClock } from '../../../src/core/time/processing-time-service.js';

interface PendingTimer {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void;
  cancelled: boolean;
}

/**
 * A ProcessingTimeService for tests driven by a ManualClock. Like the runtime's, it never calls back
 * from inside `registerTimer` (callbacks run between records): due timers fire when the clock
 * advances or on `fireDue()`. With `synchronous = true` it instead calls back at once when the time
 * is already reached, to check that the timer service copes with such a service.
 */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private pending: PendingTimer[] = [];
  private seq = 0;
  /** Every registration, for asserting what the timer service asked for. */
  readonly registrations: number[] = [];

  constructor(
    readonly clock: ManualClock = new ManualClock(0),
    private readonly synchronous = false,
  ) {
    clock.onAdvance(() => this.fireDue());
  }

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void): Cancellable {
    this.registrations.push(time);
    if (this.synchronous && time <= this.clock.now()) {
      callback(time);
      return { cancel() {} };
    }
    const timer: PendingTimer = { time, seq: this.seq++, callback, cancelled: false };
    this.pending.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Service timers not yet fired nor cancelled. */
  activeTimers(): number[] {
    return this.pending.filter((t) => !t.cancelled).map((t) => t.time);
  }

  /** Fires due timers in time order, including ones registered by the callbacks. */
  fireDue(): void {
    for (;;) {
      this.pending = this.pending.filter((t) => !t.cancelled);
      let next: PendingTimer | undefined;
      for (const t of this.pending) {
        if (
          t.time <= this.clock.now() &&
          (next === undefined || t.time < next.time || (t.time === next.time && t.seq < next.seq))
        ) {
          next = t;
        }
      }
      if (next === undefined) return;
      next.cancelled = true;
      next.callback(next.time);
    }
  }
}
