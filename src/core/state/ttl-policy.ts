import { type StateTtlConfig, TtlStateVisibility, TtlUpdateType } from './state-ttl-config.js';

/**
 * Processing time in epoch milliseconds for TTL; injected so that tests control expiry. Same shape
 * as the time package's `Clock`, declared here so the state layer depends on nothing else.
 */
export interface TtlClock {
  now(): number;
}

/**
 * A value stored together with its last-access timestamp. Only states with TTL enabled wrap their
 * values, so states without TTL pay neither the allocation nor the indirection.
 *
 * @internal
 */
export interface TtlValue<T> {
  v: T;
  /** Last access (create, write and, with `OnReadAndWrite`, read) in clock milliseconds. */
  t: number;
}

/**
 * A {@link StateTtlConfig} resolved into the flags the state handles test on each access, plus the
 * clock it is measured against.
 *
 * @internal
 */
export class TtlPolicy {
  readonly ttl: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;
  readonly cleanupSize: number;
  readonly cleanupEveryRecord: boolean;
  readonly cleanupFullSnapshot: boolean;

  constructor(
    config: StateTtlConfig,
    private readonly clock: TtlClock,
  ) {
    this.ttl = config.ttl;
    this.updateOnRead = config.updateType === TtlUpdateType.OnReadAndWrite;
    this.returnExpired = config.stateVisibility === TtlStateVisibility.ReturnExpiredIfNotCleanedUp;
    this.cleanupSize = Math.max(0, Math.floor(config.incrementalCleanupSize));
    this.cleanupEveryRecord = config.runCleanupForEveryRecord && this.cleanupSize > 0;
    this.cleanupFullSnapshot = config.cleanupFullSnapshot;
  }

  now(): number {
    return this.clock.now();
  }

  /** Flink's rule: a value expires once `lastAccess + ttl <= now`. */
  isExpired(lastAccess: number, now: number): boolean {
    return lastAccess + this.ttl <= now;
  }
}
