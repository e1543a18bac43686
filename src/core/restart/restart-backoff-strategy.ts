import type { RestartStrategyConfiguration } from './restart-strategies.js';

/**
 * The runtime side of a restart strategy (Flink's `RestartBackoffTimeStrategy`): told about each
 * failure, it says whether to restart and after how long.
 *
 * @example
 * ```ts
 * const s = createRestartBackoffStrategy(RestartStrategies.fixedDelayRestart(2, 100));
 * s.notifyFailure(now);
 * if (s.canRestart(now)) setTimeout(restart, s.getBackoffTime());
 * ```
 */
export interface RestartBackoffStrategy {
  /** Records a failure that happened at processing time `now`. */
  notifyFailure(now: number): void;
  /** Whether the job may restart after the failures recorded so far. */
  canRestart(now: number): boolean;
  /** Milliseconds to wait before redeploying. */
  getBackoffTime(): number;
}

/** Builds the runtime strategy for a configuration. */
export function createRestartBackoffStrategy(config: RestartStrategyConfiguration): RestartBackoffStrategy {
  switch (config.type) {
    case 'no-restart':
      return { notifyFailure() {}, canRestart: () => false, getBackoffTime: () => 0 };
    case 'fixed-delay': {
      let failures = 0;
      return {
        notifyFailure() {
          failures++;
        },
        canRestart: () => failures <= config.restartAttempts,
        getBackoffTime: () => config.delayMs,
      };
    }
    case 'failure-rate': {
      // The timestamps of the last `max` failures; full and all within the interval = give up.
      const times: number[] = [];
      return {
        notifyFailure(now) {
          if (times.length === config.maxFailuresPerInterval) times.shift();
          times.push(now);
        },
        canRestart: (now) =>
          times.length < config.maxFailuresPerInterval || now - times[0]! > config.failureIntervalMs,
        getBackoffTime: () => config.delayMs,
      };
    }
  }
}
