import type { ResultFuture } from '../../api/async-function.js';
import type { Cancellable } from '../../time/processing-time-service.js';
import { AsyncRecordEntry } from './stream-element-queue.js';

/** The attempt number of the future handed to a function's `timeout`: final, never retried. */
export const TIMEOUT_ATTEMPT = 0;

/** Where a request's completions go (the async operator). */
export interface AsyncRequestHandler<IN, OUT> {
  onResult(request: AsyncRequest<IN, OUT>, attempt: number, results: Iterable<OUT>): void;
  onError(request: AsyncRequest<IN, OUT>, attempt: number, error: unknown): void;
}

/**
 * One in-flight request of an async operator: its queue entry, the {@link ResultFuture} of its
 * first call, and its timers. Completions carry the attempt they belong to, so a late answer of a
 * call that was already retried cannot complete the request.
 *
 * @example
 * ```ts
 * const request = new AsyncRequest(handler, input, timestamp);
 * asyncFunction.asyncInvoke(input, request);          // first call
 * asyncFunction.asyncInvoke(input, request.futureFor(2)); // a retry
 * ```
 */
export class AsyncRequest<IN, OUT> extends AsyncRecordEntry<IN, OUT> implements ResultFuture<OUT> {
  /** Calls made so far, the first included. */
  attempts = 1;
  /** Completed or failed; later completions are ignored. */
  done = false;
  /** The timeout fired: no more retries, the `timeout` handler's answer (or a late one) wins. */
  timedOut = false;
  timeoutTimer: Cancellable | undefined;
  retryTimer: Cancellable | undefined;

  constructor(
    private readonly handler: AsyncRequestHandler<IN, OUT>,
    input: IN,
    timestamp: number,
  ) {
    super(input, timestamp);
  }

  complete(results: Iterable<OUT>): void {
    this.handler.onResult(this, 1, results);
  }

  completeExceptionally(error: unknown): void {
    this.handler.onError(this, 1, error);
  }

  /** The future of a retry (`attempt` > 1) or of the timeout handler ({@link TIMEOUT_ATTEMPT}). */
  futureFor(attempt: number): ResultFuture<OUT> {
    const handler = this.handler;
    return {
      complete: (results) => handler.onResult(this, attempt, results),
      completeExceptionally: (error) => handler.onError(this, attempt, error),
    };
  }

  cancelTimers(): void {
    this.timeoutTimer?.cancel();
    this.timeoutTimer = undefined;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
  }
}
