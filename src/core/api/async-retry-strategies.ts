import type { AsyncRetryPredicate, AsyncRetryStrategy } from './async-retry-strategy.js';

function checkAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
}

function checkDelay(name: string, ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`${name} must be a finite number >= 0, got ${ms}`);
}

/** Shared by both builders: the predicates and their fluent setters. */
abstract class RetryStrategyBuilder<OUT> {
  protected resultPredicate: ((results: readonly OUT[]) => boolean) | undefined;
  protected exceptionPredicate: ((error: unknown) => boolean) | undefined;

  /** Retry when the results satisfy `predicate`. */
  ifResult(predicate: (results: readonly OUT[]) => boolean): this {
    this.resultPredicate = predicate;
    return this;
  }

  /** Retry when the request fails with an error satisfying `predicate`. */
  ifException(predicate: (error: unknown) => boolean): this {
    this.exceptionPredicate = predicate;
    return this;
  }

  protected predicate(): AsyncRetryPredicate<OUT> {
    return { resultPredicate: this.resultPredicate, exceptionPredicate: this.exceptionPredicate };
  }

  abstract build(): AsyncRetryStrategy<OUT>;
}

/**
 * Retries after the same delay each time. `maxAttempts` counts every call, the first included.
 *
 * @example
 * ```ts
 * const strategy = new FixedDelayRetryStrategyBuilder<User>(3, Duration.ofMillis(100))
 *   .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
 *   .build();
 * ```
 */
export class FixedDelayRetryStrategyBuilder<OUT> extends RetryStrategyBuilder<OUT> {
  constructor(
    private readonly maxAttempts: number,
    private readonly backoffTimeMillis: number,
  ) {
    super();
    checkAttempts(maxAttempts);
    checkDelay('backoffTimeMillis', backoffTimeMillis);
  }

  build(): AsyncRetryStrategy<OUT> {
    const { maxAttempts, backoffTimeMillis } = this;
    const predicate = this.predicate();
    return {
      canRetry: (attempts) => attempts < maxAttempts,
      getBackoffTimeMillis: () => backoffTimeMillis,
      getRetryPredicate: () => predicate,
    };
  }
}

/**
 * Retries with delays growing by `multiplier` from `initialDelay` up to `maxRetryDelay`.
 * `maxAttempts` counts every call, the first included.
 *
 * @example
 * ```ts
 * // Waits 100, 200, 400, 800, 1000, 1000 ms between the calls.
 * const strategy = new ExponentialBackoffDelayRetryStrategyBuilder<User>(7, 100, 1000, 2)
 *   .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
 *   .build();
 * ```
 */
export class ExponentialBackoffDelayRetryStrategyBuilder<OUT> extends RetryStrategyBuilder<OUT> {
  constructor(
    private readonly maxAttempts: number,
    private readonly initialDelay: number,
    private readonly maxRetryDelay: number,
    private readonly multiplier: number,
  ) {
    super();
    checkAttempts(maxAttempts);
    checkDelay('initialDelay', initialDelay);
    checkDelay('maxRetryDelay', maxRetryDelay);
    if (!(multiplier >= 1)) throw new Error(`multiplier must be >= 1, got ${multiplier}`);
  }

  build(): AsyncRetryStrategy<OUT> {
    const { maxAttempts, initialDelay, maxRetryDelay, multiplier } = this;
    const predicate = this.predicate();
    return {
      canRetry: (attempts) => attempts < maxAttempts,
      // Computed from the attempt count rather than kept as a running value, because one strategy
      // object serves every in-flight request of the operator.
      getBackoffTimeMillis: (attempts) =>
        Math.min(maxRetryDelay, initialDelay * multiplier ** Math.max(0, attempts - 1)),
      getRetryPredicate: () => predicate,
    };
  }
}

/**
 * Ready-made {@link AsyncRetryStrategy} builders (Flink's `AsyncRetryStrategies`).
 *
 * @example
 * ```ts
 * AsyncDataStream.unorderedWaitWithRetry(
 *   ids, lookup, Duration.ofSeconds(5), 100,
 *   new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<User>(3, 200)
 *     .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
 *     .build(),
 * );
 * ```
 */
export const AsyncRetryStrategies = {
  /** Never retries. */
  NO_RETRY_STRATEGY: {
    canRetry: () => false,
    getBackoffTimeMillis: () => -1,
    getRetryPredicate: () => ({}),
  } as AsyncRetryStrategy<any>,
  FixedDelayRetryStrategyBuilder,
  ExponentialBackoffDelayRetryStrategyBuilder,
} as const;
