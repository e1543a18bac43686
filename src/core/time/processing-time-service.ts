/** Cancels a registered processing-time callback. */
export interface Cancellable {
  cancel(): void;
}

/**
 * The processing-time clock and its callbacks, shared by every task of a job. Callbacks run on the
 * job's event loop between records, never concurrently with an operator.
 */
export interface ProcessingTimeService {
  getCurrentProcessingTime(): number;
  /** Runs `callback(time)` once the clock reaches `time` (at once if it already has). */
  registerTimer(time: number, callback: (time: number) => void): Cancellable;
}

/** A clock source; `Date.now` by default, a {@link ManualClock} in tests. */
export interface Clock {
  now(): number;
}

/** The wall clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told to; processing-time timers fire as it advances.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(0);
 * env.setClock(clock);
 * clock.advance(1000); // fires processing-time timers due by t = 1000
 * ```
 */
export class ManualClock implements Clock {
  private listeners: Array<() => void> = [];

  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms` and wakes whoever waits on it. */
  advance(ms: number): void {
    this.setTime(this.time + ms);
  }

  setTime(time: number): void {
    if (time < this.time) throw new Error(`ManualClock cannot go back from ${this.time} to ${time}`);
    this.time = time;
    for (const l of this.listeners) l();
  }

  /** @internal the scheduler subscribes so that advancing the clock runs due timers. */
  onAdvance(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
