/**
 * The error an async request fails with when it did not complete within the operator's timeout
 * and the function defines no `timeout` handler (Flink's `TimeoutException`).
 *
 * @example
 * ```ts
 * await expect(env.execute()).rejects.toMatchObject({ cause: expect.any(AsyncTimeoutError) });
 * ```
 */
export class AsyncTimeoutError extends Error {
  constructor(message = 'Async function call has timed out.') {
    super(message);
    this.name = 'AsyncTimeoutError';
  }
}
