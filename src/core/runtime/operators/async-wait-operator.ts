import type { AsyncFunction, AsyncResult, ResultFuture } from '../../api/async-function.js';
import { AsyncOutputMode } from '../../api/async-output-mode.js';
import type { AsyncRetryPredicate, AsyncRetryStrategy } from '../../api/async-retry-strategy.js';
import { AsyncTimeoutError } from '../../api/async-timeout-error.js';
import type { ListState } from '../../state/state.js';
import { ListStateDescriptor } from '../../state/state-descriptor.js';
import type { Output } from '../output.js';
import type {
  OneInputStreamOperator,
  OperatorSnapshot,
  StreamOperatorParameters,
} from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { AsyncRequest, type AsyncRequestHandler, TIMEOUT_ATTEMPT } from './async-request.js';
import { OrderedStreamElementQueue } from './ordered-stream-element-queue.js';
import type { StreamElementQueue } from './stream-element-queue.js';
import { UnorderedStreamElementQueue } from './unordered-stream-element-queue.js';

/** Settings of an {@link AsyncWaitOperator}. */
export interface AsyncWaitOperatorOptions<OUT> {
  readonly outputMode: AsyncOutputMode;
  /** Milliseconds of processing time a request (with its retries) may take; <= 0: no timeout. */
  readonly timeout: number;
  /** Records in flight or waiting to be emitted before the task stops taking input. */
  readonly capacity: number;
  readonly retryStrategy?: AsyncRetryStrategy<OUT>;
}

/** An input that has not been emitted yet, as kept in the operator's list state. */
export interface AsyncPendingInput<IN> {
  readonly value: IN;
  readonly timestamp: number;
}

/** Flink's state name, so a savepoint reader recognises it. */
const STATE_NAME = '_async_wait_operator_state_';

type UserCall<IN, OUT> = (input: IN, resultFuture: ResultFuture<OUT>) => AsyncResult<OUT>;

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

function toResults<OUT>(results: Iterable<OUT>): readonly OUT[] {
  if (Array.isArray(results)) return results;
  if (results == null || typeof (results as any)[Symbol.iterator] !== 'function') {
    throw new TypeError(
      `an async function must complete with an iterable of results, got ${String(results)}`,
    );
  }
  return Array.from(results);
}

/**
 * Runs an {@link AsyncFunction} (Flink's `AsyncWaitOperator`): starts a request per record without
 * waiting for it, and emits the results, with the input's timestamp, in input order or as they
 * complete (never across a watermark).
 *
 * - Capacity: at most `capacity` records are in flight or waiting to be emitted. When the queue is
 *   full the operator blocks its task (`blockOn`), so the task takes no input until a slot frees;
 *   records that still arrive in the same burst (a source poll, a flatMap) wait unstarted.
 * - Results that complete synchronously are emitted at once, with no promise involved; results
 *   that complete later are emitted from the completion callback. That runs between scheduler
 *   batches on this single thread, so it never interleaves with another operator call.
 * - Timeouts and retry back-offs are processing-time timers.
 * - A failed request, or an exception from the function, fails the task (and the job).
 * - Snapshots keep the inputs of every record not yet emitted; a restored instance calls the
 *   function again for them before taking new input. Watermarks waiting in the queue are not
 *   kept: not re-emitting one only delays event time until the input's next watermark, whereas
 *   replaying it after a rescale could overtake records of another former instance.
 * - At the end of input, `finish` waits until every request completed and was emitted.
 *
 * @example
 * ```ts
 * const op = new AsyncWaitOperator<string, number>(async (w) => [w.length], {
 *   outputMode: AsyncOutputMode.ORDERED,
 *   timeout: 1000,
 *   capacity: 10,
 * });
 * const harness = new OperatorTestHarness(() => op);
 * ```
 */
export class AsyncWaitOperator<IN, OUT>
  extends AbstractUdfStreamOperator<OUT, AsyncFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>, AsyncRequestHandler<IN, OUT>
{
  private readonly invokeFn: UserCall<IN, OUT>;
  private readonly timeoutFn: UserCall<IN, OUT> | undefined;
  private readonly queue: StreamElementQueue<IN, OUT>;
  private readonly timeout: number;
  private readonly capacity: number;
  private readonly retryStrategy: AsyncRetryStrategy<OUT> | undefined;
  private readonly retryPredicate: AsyncRetryPredicate<OUT>;
  /**
   * Elements that arrived while the queue was full, in arrival order: records as
   * {@link AsyncPendingInput}, watermarks as numbers. Their requests have not started.
   */
  private readonly overflow: (AsyncPendingInput<IN> | number)[] = [];
  private pendingState!: ListState<AsyncPendingInput<IN>>;
  private restoredInputs: AsyncPendingInput<IN>[] | undefined;
  /** The queue's output: the real one, but remembers emitted watermarks for snapshots. */
  private queueOutput!: Output<OUT>;
  /** Deduplicates input watermarks; `currentWatermark` is the last one emitted. */
  private lastInputWatermark = Number.NEGATIVE_INFINITY;
  private unblockInput: (() => void) | undefined;
  private finishWaiter: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private draining = false;
  private drainAgain = false;

  constructor(asyncFunction: AsyncFunction<IN, OUT>, options: AsyncWaitOperatorOptions<OUT>) {
    super(asyncFunction);
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new Error(`async operator capacity must be a positive integer, got ${options.capacity}`);
    }
    if (Number.isNaN(options.timeout)) throw new Error('async operator timeout must be a number');
    this.capacity = options.capacity;
    this.timeout = options.timeout;
    this.retryStrategy = options.retryStrategy;
    this.retryPredicate = options.retryStrategy?.getRetryPredicate() ?? {};
    this.queue =
      options.outputMode === AsyncOutputMode.ORDERED
        ? new OrderedStreamElementQueue<IN, OUT>()
        : new UnorderedStreamElementQueue<IN, OUT>();
    if (typeof asyncFunction === 'function') {
      this.invokeFn = asyncFunction;
    } else {
      if (typeof asyncFunction.asyncInvoke !== 'function') {
        throw new TypeError("async function object has no method 'asyncInvoke'");
      }
      this.invokeFn = asyncFunction.asyncInvoke.bind(asyncFunction);
      this.timeoutFn = asyncFunction.timeout?.bind(asyncFunction);
    }
  }

  override setup(parameters: StreamOperatorParameters<OUT>): void {
    super.setup(parameters);
    const out = parameters.output;
    this.queueOutput = {
      collect: out.collect.bind(out),
      collectSide: out.collectSide.bind(out),
      emitWatermark: (watermark) => {
        this.currentWatermark = watermark;
        out.emitWatermark(watermark);
      },
      emitWatermarkStatus: out.emitWatermarkStatus.bind(out),
    };
  }

  override initializeState(restored: readonly OperatorSnapshot[] | undefined): void {
    super.initializeState(restored);
    this.lastInputWatermark = this.currentWatermark;
    this.pendingState = this.operatorStateBackend.getListState(
      new ListStateDescriptor<AsyncPendingInput<IN>>(STATE_NAME),
    );
    if (restored && restored.length > 0) {
      const inputs = [...this.pendingState.get()];
      if (inputs.length > 0) this.restoredInputs = inputs;
    }
  }

  override open(): void | Promise<void> {
    const opened = super.open();
    if (opened) return Promise.resolve(opened).then(() => this.replayRestored());
    this.replayRestored();
  }

  /** Restored inputs go first: they were taken from the input before anything that follows. */
  private replayRestored(): void {
    const inputs = this.restoredInputs;
    this.restoredInputs = undefined;
    if (inputs) for (const p of inputs) this.processElement(p.value, p.timestamp);
  }

  processElement(value: IN, timestamp: number): void {
    if (this.failure) return;
    if (this.overflow.length > 0 || this.queue.recordCount >= this.capacity) {
      this.overflow.push({ value, timestamp });
      this.blockInput();
      return;
    }
    this.startRequest(value, timestamp);
    if (this.queue.recordCount >= this.capacity) this.blockInput();
  }

  override processWatermark(watermark: number): void {
    if (watermark <= this.lastInputWatermark || this.failure) return;
    this.lastInputWatermark = watermark;
    if (this.overflow.length > 0) {
      this.overflow.push(watermark);
      return;
    }
    this.queue.addWatermark(watermark);
    this.drain();
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    const pending: AsyncPendingInput<IN>[] = [];
    for (const e of this.queue.records()) pending.push({ value: e.input, timestamp: e.timestamp });
    for (const o of this.overflow) if (typeof o !== 'number') pending.push(o);
    this.pendingState.update(pending);
    return super.snapshotState(checkpointId);
  }

  override finish(): void | Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.isDrained()) return;
    return new Promise<void>((resolve, reject) => {
      this.finishWaiter = { resolve, reject };
    });
  }

  override async close(): Promise<void> {
    this.closed = true;
    for (const e of this.queue.records()) (e as AsyncRequest<IN, OUT>).cancelTimers();
    await super.close();
  }

  /** @internal a call of the function completed (see {@link AsyncRequest}). */
  onResult(request: AsyncRequest<IN, OUT>, attempt: number, results: Iterable<OUT>): void {
    if (request.done || this.closed || this.failure) return;
    if (attempt !== request.attempts && attempt !== TIMEOUT_ATTEMPT) return;
    try {
      const list = toResults(results);
      const retryIf = this.retryPredicate.resultPredicate;
      if (attempt !== TIMEOUT_ATTEMPT && retryIf && this.mayRetry(request) && retryIf(list)) {
        this.scheduleRetry(request);
        return;
      }
      request.done = true;
      request.cancelTimers();
      request.results = list;
      this.queue.markCompleted(request);
      this.drain();
    } catch (err) {
      this.fail(err);
    }
  }

  /** @internal a call of the function failed. */
  onError(request: AsyncRequest<IN, OUT>, attempt: number, error: unknown): void {
    if (request.done || this.closed || this.failure) return;
    if (attempt !== request.attempts && attempt !== TIMEOUT_ATTEMPT) return;
    try {
      const retryIf = this.retryPredicate.exceptionPredicate;
      if (attempt !== TIMEOUT_ATTEMPT && retryIf && this.mayRetry(request) && retryIf(error)) {
        this.scheduleRetry(request);
        return;
      }
    } catch (err) {
      error = err;
    }
    request.done = true;
    request.cancelTimers();
    this.fail(error);
  }

  private mayRetry(request: AsyncRequest<IN, OUT>): boolean {
    return !request.timedOut && this.retryStrategy!.canRetry(request.attempts);
  }

  private startRequest(value: IN, timestamp: number): void {
    const request = new AsyncRequest<IN, OUT>(this, value, timestamp);
    this.queue.addRecord(request);
    if (this.timeout <= 0) {
      this.call(this.invokeFn, value, request);
      return;
    }
    const pts = this.params.processingTimeService;
    const deadline = pts.getCurrentProcessingTime() + this.timeout;
    this.call(this.invokeFn, value, request);
    // Registered after the call, so a request answered synchronously costs no timer.
    if (!request.done && !this.closed) {
      request.timeoutTimer = pts.registerTimer(deadline, () => this.onTimeout(request));
    }
  }

  /** Calls the user function; a returned promise completes `future` when it settles. */
  private call(fn: UserCall<IN, OUT>, input: IN, future: ResultFuture<OUT>): void {
    const returned = fn(input, future);
    if (isPromiseLike(returned)) {
      returned.then(
        (results) => {
          // `undefined`: the function completes the future itself (an `async` callback-style method).
          if (results !== undefined) future.complete(results as Iterable<OUT>);
        },
        (error) => future.completeExceptionally(error),
      );
    }
  }

  private scheduleRetry(request: AsyncRequest<IN, OUT>): void {
    const pts = this.params.processingTimeService;
    const delay = Math.max(0, this.retryStrategy!.getBackoffTimeMillis(request.attempts));
    request.retryTimer = pts.registerTimer(pts.getCurrentProcessingTime() + delay, () => {
      request.retryTimer = undefined;
      if (request.done || this.closed || this.failure) return;
      request.attempts++;
      this.guarded(() => this.call(this.invokeFn, request.input, request.futureFor(request.attempts)));
    });
  }

  private onTimeout(request: AsyncRequest<IN, OUT>): void {
    request.timeoutTimer = undefined;
    if (request.done || this.closed || this.failure) return;
    request.timedOut = true;
    request.retryTimer?.cancel();
    request.retryTimer = undefined;
    const future = request.futureFor(TIMEOUT_ATTEMPT);
    const timeoutFn = this.timeoutFn;
    if (timeoutFn) this.guarded(() => this.call(timeoutFn, request.input, future));
    else future.completeExceptionally(new AsyncTimeoutError());
  }

  /**
   * Emits what may leave the queue and starts the requests of waiting inputs as slots free up.
   * Re-entrant calls (a request started here that completes synchronously) only ask for another
   * round, so emission order stays the queue's.
   */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        if (this.failure) return;
        this.queue.emitCompleted(this.queueOutput);
        this.admitOverflow();
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
    if (this.unblockInput && this.overflow.length === 0 && this.queue.recordCount < this.capacity) {
      const unblock = this.unblockInput;
      this.unblockInput = undefined;
      unblock();
    }
    if (this.finishWaiter && this.isDrained()) {
      const waiter = this.finishWaiter;
      this.finishWaiter = undefined;
      waiter.resolve();
    }
  }

  private admitOverflow(): void {
    const overflow = this.overflow;
    while (overflow.length > 0 && !this.failure) {
      const next = overflow[0]!;
      if (typeof next === 'number') {
        overflow.shift();
        this.queue.addWatermark(next);
        this.drainAgain = true;
        continue;
      }
      if (this.queue.recordCount >= this.capacity) return;
      overflow.shift();
      this.startRequest(next.value, next.timestamp);
      this.drainAgain = true;
    }
  }

  private isDrained(): boolean {
    return this.overflow.length === 0 && this.queue.isEmpty();
  }

  /** Stops the task from taking input until {@link drain} frees a slot. */
  private blockInput(): void {
    if (this.unblockInput) return;
    this.params.blockOn(
      new Promise<void>((resolve) => {
        this.unblockInput = resolve;
      }),
    );
  }

  /** For code running outside the task's own calls (completions, timers): failures fail the task. */
  private guarded(action: () => void): void {
    try {
      action();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Fails the task the way an async sink write does: a rejected promise handed to `blockOn`. */
  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    const rejected = Promise.reject(error);
    // Handled here so a harness that never awaits it sees no unhandled rejection.
    rejected.catch(() => {});
    this.params.blockOn(rejected);
    const waiter = this.finishWaiter;
    this.finishWaiter = undefined;
    waiter?.reject(error);
  }
}
