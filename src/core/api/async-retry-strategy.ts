/**
 * When an async request's outcome should be retried: by its results (e.g. empty) and/or by its
 * error (Flink's `AsyncRetryPredicate`). A missing predicate never retries.
 *
 * @example
 * ```ts
 * const predicate: AsyncRetryPredicate<User> = {
 *   resultPredicate: (users) => users.length === 0,
 *   exceptionPredicate: (err) => err instanceof TransientError,
 * };
 * ```
 */
export interface AsyncRetryPredicate<OUT> {
  readonly resultPredicate?: (results: readonly OUT[]) => boolean;
  readonly exceptionPredicate?: (error: unknown) => boolean;
}

/**
 * Decides whether and when an async request is retried (Flink's `AsyncRetryStrategy`). Retries
 * wait on the processing-time service, so a `ManualClock` drives them in tests. The operator's
 * timeout covers the request with all its retries. Build one with {@link AsyncRetryStrategies}.
 *
 * @example
 * ```ts
 * const everySecondTwice: AsyncRetryStrategy<unknown> = {
 *   canRetry: (attempts) => attempts < 3,
 *   getBackoffTimeMillis: () => 1000,
 *   getRetryPredicate: () => ({ exceptionPredicate: () => true }),
 * };
 * ```
 */
export interface AsyncRetryStrategy<OUT> {
  /** Whether another call may follow, given the calls made so far (the first included). */
  canRetry(currentAttempts: number): boolean;
  /** How long to wait before the next call, given the calls made so far. */
  getBackoffTimeMillis(currentAttempts: number): number;
  getRetryPredicate(): AsyncRetryPredicate<OUT>;
}
