import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import { AsyncWaitOperator } from '../runtime/operators/async-wait-operator.js';
import type { AsyncFunction } from './async-function.js';
import { AsyncOutputMode } from './async-output-mode.js';
import type { AsyncRetryStrategy } from './async-retry-strategy.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';

/** Requests in flight per parallel instance when no capacity is given (Flink's default). */
export const DEFAULT_ASYNC_CAPACITY = 100;

function addOperator<IN, OUT>(
  input: DataStream<IN>,
  fn: AsyncFunction<IN, OUT>,
  outputMode: AsyncOutputMode,
  timeout: number,
  capacity: number,
  retryStrategy: AsyncRetryStrategy<OUT> | undefined,
): SingleOutputStreamOperator<OUT> {
  // Validate while the job is being built rather than when it is deployed.
  new AsyncWaitOperator<IN, OUT>(fn, { outputMode, timeout, capacity, retryStrategy });
  return input.transform(
    'Async Wait',
    () => new AsyncWaitOperator<IN, OUT>(copyFunction(fn), { outputMode, timeout, capacity, retryStrategy }),
  );
}

function splitRetryArgs<OUT>(
  capacityOrStrategy: number | AsyncRetryStrategy<OUT>,
  strategy: AsyncRetryStrategy<OUT> | undefined,
): [number, AsyncRetryStrategy<OUT>] {
  if (typeof capacityOrStrategy === 'number') {
    if (!strategy) throw new Error('a retry strategy is required');
    return [capacityOrStrategy, strategy];
  }
  return [DEFAULT_ASYNC_CAPACITY, capacityOrStrategy];
}

/**
 * Async I/O (Flink's `AsyncDataStream`): calls an {@link AsyncFunction} per record without waiting
 * for one call before starting the next, up to `capacity` calls in flight per parallel instance.
 * `timeout` is in milliseconds of processing time and covers a request with its retries (0 or
 * less: none); a request that times out fails the job unless the function has a `timeout` handler.
 * A failed request fails the job. In-flight requests are part of snapshots and are re-sent on
 * restore; at the end of a bounded input the job waits for them. The operator chains like a map.
 *
 * @example
 * ```ts
 * const enriched = AsyncDataStream.orderedWait(
 *   payments,
 *   async (p: Payment) => [{ ...p, country: await geo.lookup(p.ip) }],
 *   Duration.ofSeconds(2),
 *   50,
 * );
 * ```
 */
export class AsyncDataStream {
  private constructor() {}

  /** Emits results in the order of the inputs. */
  static orderedWait<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacity = DEFAULT_ASYNC_CAPACITY,
  ): SingleOutputStreamOperator<OUT> {
    return addOperator(input, fn, AsyncOutputMode.ORDERED, timeout, capacity, undefined);
  }

  /**
   * Emits results as requests complete; records never cross a watermark, so downstream event
   * time stays correct.
   */
  static unorderedWait<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacity = DEFAULT_ASYNC_CAPACITY,
  ): SingleOutputStreamOperator<OUT> {
    return addOperator(input, fn, AsyncOutputMode.UNORDERED, timeout, capacity, undefined);
  }

  /**
   * {@link orderedWait} with retries: a call whose results or error match the strategy's
   * predicate is repeated after its back-off, on processing time, until the strategy gives up.
   *
   * @example
   * ```ts
   * AsyncDataStream.orderedWaitWithRetry(ids, lookup, Duration.ofSeconds(5), 100,
   *   new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<User>(3, 100)
   *     .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
   *     .build());
   * ```
   */
  static orderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacity: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT>;
  static orderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT>;
  static orderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacityOrStrategy: number | AsyncRetryStrategy<OUT>,
    retryStrategy?: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT> {
    const [capacity, strategy] = splitRetryArgs(capacityOrStrategy, retryStrategy);
    return addOperator(input, fn, AsyncOutputMode.ORDERED, timeout, capacity, strategy);
  }

  /**
   * {@link unorderedWait} with retries (see {@link orderedWaitWithRetry}).
   *
   * @example
   * ```ts
   * AsyncDataStream.unorderedWaitWithRetry(ids, lookup, 5000,
   *   new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<User>(5, 100, 2000, 2)
   *     .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
   *     .build());
   * ```
   */
  static unorderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacity: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT>;
  static unorderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    retryStrategy: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT>;
  static unorderedWaitWithRetry<IN, OUT>(
    input: DataStream<IN>,
    fn: AsyncFunction<IN, OUT>,
    timeout: number,
    capacityOrStrategy: number | AsyncRetryStrategy<OUT>,
    retryStrategy?: AsyncRetryStrategy<OUT>,
  ): SingleOutputStreamOperator<OUT> {
    const [capacity, strategy] = splitRetryArgs(capacityOrStrategy, retryStrategy);
    return addOperator(input, fn, AsyncOutputMode.UNORDERED, timeout, capacity, strategy);
  }
}
