import type { Clock } from '../time/processing-time-service.js';
import { AVAILABLE } from './availability.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Length of one budget period in ms (default 100). */
  readonly periodMs?: number;
  /** Time source in ms; monotonic `performance.now()` by default, a fake clock in tests. */
  readonly clock?: Clock;
}

const MONOTONIC_CLOCK: Clock = { now: () => performance.now() };

// Floating-point slack, so that ten periods of 0.1 permits add up to a whole permit.
const EPSILON = 1e-9;

/**
 * Limits a reader to `permitsPerSecond` records, the way Flink's `RateLimiterStrategy.perSecond`
 * throttles `DataGeneratorSource`. Time is cut into periods aligned to the limiter's creation; each
 * period adds `permitsPerSecond * periodMs / 1000` permits (fractions carry over, so low rates work)
 * and unused permits are capped at one period's worth plus one, so an idle reader cannot burst.
 *
 * It never blocks: {@link tryAcquire} says no and {@link whenAvailable} gives a timer-backed promise,
 * which is what a non-blocking `pollNext` / `isAvailable` pair needs.
 *
 * @example
 * ```ts
 * const limiter = new RateLimiter(1000); // at most ~1000 per second, 100 per 100 ms
 * if (!limiter.tryAcquire()) return InputStatus.NOTHING_AVAILABLE; // isAvailable(): limiter.whenAvailable()
 * ```
 */
export class RateLimiter {
  /** Permits each period adds. */
  readonly permitsPerPeriod: number;
  readonly periodMs: number;
  private readonly clock: Clock;
  private readonly origin: number;
  private period = 0;
  private permits: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waiting: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(permitsPerSecond: number, options?: RateLimiterOptions) {
    if (!(permitsPerSecond > 0) || !Number.isFinite(permitsPerSecond)) {
      throw new RangeError(`permitsPerSecond must be a positive finite number, got ${permitsPerSecond}`);
    }
    this.periodMs = options?.periodMs ?? 100;
    if (!(this.periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${this.periodMs}`);
    this.clock = options?.clock ?? MONOTONIC_CLOCK;
    this.origin = this.clock.now();
    this.permitsPerPeriod = (permitsPerSecond * this.periodMs) / 1000;
    // At least one permit up front: a slow rate should start with a record, not with a pause.
    this.permits = Math.max(1, this.permitsPerPeriod);
  }

  /** The most permits that can be available at once (one period's budget plus a carried fraction). */
  get burst(): number {
    return this.permitsPerPeriod + 1;
  }

  /** Takes one permit if the current period has one left. */
  tryAcquire(): boolean {
    this.refill();
    if (this.permits < 1 - EPSILON) return false;
    this.permits -= 1;
    return true;
  }

  /** Milliseconds until {@link tryAcquire} can succeed; 0 if it can now. */
  delayUntilNextPermit(): number {
    this.refill();
    if (this.permits >= 1 - EPSILON) return 0;
    const periods = Math.max(1, Math.ceil((1 - this.permits) / this.permitsPerPeriod - EPSILON));
    const at = this.origin + (this.period + periods) * this.periodMs;
    return Math.max(0, at - this.clock.now());
  }

  /** Resolved when a permit is available; one shared timer-backed promise while waiting. */
  whenAvailable(): Promise<void> {
    if (this.waiting !== null) return this.waiting;
    const delay = this.delayUntilNextPermit();
    if (delay === 0) return AVAILABLE;
    this.waiting = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    // +1 ms because timers may fire a hair early relative to the monotonic clock.
    this.timer = setTimeout(() => this.release(), Math.ceil(delay) + 1);
    return this.waiting;
  }

  /** Cancels the pending timer and releases waiters, so nothing keeps the process alive. */
  close(): void {
    this.release();
  }

  private release(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const wake = this.wake;
    this.waiting = null;
    this.wake = null;
    wake?.();
  }

  private refill(): void {
    const period = Math.floor((this.clock.now() - this.origin) / this.periodMs);
    if (period <= this.period) return;
    this.permits = Math.min(this.permits + (period - this.period) * this.permitsPerPeriod, this.burst);
    this.period = period;
  }
}
