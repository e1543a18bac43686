/**
 * Never restart: the first failure fails the job.
 *
 * @example
 * ```ts
 * env.setRestartStrategy(RestartStrategies.noRestart());
 * ```
 */
export interface NoRestartStrategyConfiguration {
  readonly type: 'no-restart';
}

/**
 * Restart up to `restartAttempts` times in total, waiting `delayMs` before each.
 *
 * @example
 * ```ts
 * env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 10_000));
 * ```
 */
export interface FixedDelayRestartStrategyConfiguration {
  readonly type: 'fixed-delay';
  readonly restartAttempts: number;
  readonly delayMs: number;
}

/**
 * Restart unless `maxFailuresPerInterval` failures happened within `failureIntervalMs`.
 *
 * @example
 * ```ts
 * env.setRestartStrategy(RestartStrategies.failureRateRestart(3, 300_000, 10_000));
 * ```
 */
export interface FailureRateRestartStrategyConfiguration {
  readonly type: 'failure-rate';
  readonly maxFailuresPerInterval: number;
  readonly failureIntervalMs: number;
  readonly delayMs: number;
}

/**
 * How a job reacts to a failure (Flink's `RestartStrategyConfiguration`); build one with
 * {@link RestartStrategies}.
 *
 * @example
 * ```ts
 * const strategy: RestartStrategyConfiguration = RestartStrategies.fixedDelayRestart(3, 1000);
 * ```
 */
export type RestartStrategyConfiguration =
  | NoRestartStrategyConfiguration
  | FixedDelayRestartStrategyConfiguration
  | FailureRateRestartStrategyConfiguration;

function checkMs(name: string, ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`${name} must be a finite number >= 0, got ${ms}`);
}

/**
 * Factories for restart strategies (Flink's `RestartStrategies`). A failing job is redeployed in
 * this process from its latest completed checkpoint (from scratch if there is none) after the
 * delay; when the strategy gives up, the job fails with the last cause. Delays are processing time
 * of the environment's clock. Default: `noRestart()` without checkpointing; with checkpointing,
 * `fixedDelayRestart(Number.MAX_SAFE_INTEGER, 1000)` as in Flink 1.x.
 *
 * @example
 * ```ts
 * env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 10_000));
 * env.setRestartStrategy(RestartStrategies.failureRateRestart(3, 5 * 60_000, 10_000));
 * env.setRestartStrategy(RestartStrategies.noRestart());
 * ```
 */
export const RestartStrategies = {
  noRestart(): NoRestartStrategyConfiguration {
    return { type: 'no-restart' };
  },

  fixedDelayRestart(restartAttempts: number, delayMs: number): FixedDelayRestartStrategyConfiguration {
    if (!Number.isInteger(restartAttempts) || restartAttempts < 0) {
      throw new Error(`restart attempts must be an integer >= 0, got ${restartAttempts}`);
    }
    checkMs('restart delay', delayMs);
    return { type: 'fixed-delay', restartAttempts, delayMs };
  },

  /** The job fails at the `maxFailuresPerInterval`-th failure within `failureIntervalMs` (as in Flink). */
  failureRateRestart(
    maxFailuresPerInterval: number,
    failureIntervalMs: number,
    delayMs: number,
  ): FailureRateRestartStrategyConfiguration {
    if (!Number.isInteger(maxFailuresPerInterval) || maxFailuresPerInterval < 1) {
      throw new Error(`max failures per interval must be an integer >= 1, got ${maxFailuresPerInterval}`);
    }
    checkMs('failure interval', failureIntervalMs);
    checkMs('restart delay', delayMs);
    return { type: 'failure-rate', maxFailuresPerInterval, failureIntervalMs, delayMs };
  },
} as const;

/**
 * Flink 1.x's default with checkpointing on: restart forever, one second apart.
 *
 * @example
 * ```ts
 * env.getRestartStrategy(); // this, after env.enableCheckpointing(…) with no strategy set
 * ```
 */
export const DEFAULT_CHECKPOINTING_RESTART_STRATEGY = RestartStrategies.fixedDelayRestart(
  Number.MAX_SAFE_INTEGER,
  1000,
);
