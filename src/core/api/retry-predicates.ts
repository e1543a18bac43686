/**
 * Common retry predicates (Flink's `RetryPredicates`) for {@link AsyncRetryStrategies} builders.
 *
 * @example
 * ```ts
 * new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<User>(3, 100)
 *   .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
 *   .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
 *   .build();
 * ```
 */
export const RetryPredicates = {
  /** Retries when the request completed with no results. */
  EMPTY_RESULT_PREDICATE: (results: readonly unknown[]): boolean => results.length === 0,
  /** Retries on every error. */
  HAS_EXCEPTION_PREDICATE: (_error: unknown): boolean => true,
} as const;
