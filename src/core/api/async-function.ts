/**
 * Receives the outcome of one asynchronous request (Flink's `ResultFuture`). The first call wins:
 * later calls on the same future are ignored, so a late answer after a timeout cannot emit twice.
 *
 * @example
 * ```ts
 * const lookup: AsyncFunction<string, User> = (id, resultFuture) => {
 *   client.get(id).then(
 *     (user) => resultFuture.complete([user]),
 *     (err) => resultFuture.completeExceptionally(err),
 *   );
 * };
 * ```
 */
export interface ResultFuture<OUT> {
  /** Completes the request with zero or more results; each is emitted with the input's timestamp. */
  complete(results: Iterable<OUT>): void;
  /** Fails the request, which fails the job (unless a retry strategy retries it). */
  completeExceptionally(error: unknown): void;
}

/**
 * What `asyncInvoke` and `timeout` may return: nothing (they complete the {@link ResultFuture}
 * themselves), or a promise of the results. A promise resolving to `undefined` means the function
 * completed the future itself, which keeps `async` methods that call `resultFuture.complete` valid.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: `async` methods that complete the future return Promise<void>.
export type AsyncResult<OUT> = void | PromiseLike<Iterable<OUT> | undefined | void>;

/**
 * An async function as an object, optionally a rich function (`open`/`close`, see
 * {@link RichAsyncFunction}).
 *
 * @example
 * ```ts
 * const enrich: AsyncFunctionObject<Payment, Enriched> = {
 *   asyncInvoke: async (p) => [{ ...p, risk: await scores.get(p.account) }],
 *   timeout: (p, resultFuture) => resultFuture.complete([{ ...p, risk: 'unknown' }]),
 * };
 * ```
 */
export interface AsyncFunctionObject<IN, OUT> {
  /** Starts the request for `input`; must not block. Complete `resultFuture` or return a promise. */
  asyncInvoke(input: IN, resultFuture: ResultFuture<OUT>): AsyncResult<OUT>;
  /**
   * Called when the request has not completed within the operator's timeout. Without it the
   * request fails with an {@link AsyncTimeoutError}, which fails the job (as in Flink).
   */
  timeout?(input: IN, resultFuture: ResultFuture<OUT>): AsyncResult<OUT>;
}

/**
 * The function of an async I/O operator (Flink's `AsyncFunction`): a lambda taking the input and a
 * {@link ResultFuture}, or an object with `asyncInvoke` (and optionally `timeout`). Either may
 * return a promise of the results instead of completing the future.
 *
 * @example
 * ```ts
 * // Promise form: resolve to the results of this input.
 * const f1: AsyncFunction<string, number> = async (word) => [await lengths.get(word)];
 * // Callback form, as in Flink.
 * const f2: AsyncFunction<string, number> = (word, rf) => void cache.get(word, (n) => rf.complete([n]));
 * ```
 */
export type AsyncFunction<IN, OUT> =
  | ((input: IN, resultFuture: ResultFuture<OUT>) => AsyncResult<OUT>)
  | AsyncFunctionObject<IN, OUT>;
