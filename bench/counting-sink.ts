import type { Sink } from '../src/core/index.js';

/**
 * A sink that counts what arrives and drops it, so benchmarks measure the job, not the output.
 *
 * @example
 * ```ts
 * const sink = new CountingSink<number>();
 * stream.sinkTo(sink);
 * await env.execute();
 * sink.count;
 * ```
 */
export class CountingSink<T> implements Sink<T> {
  count = 0;
  createWriter() {
    return {
      write: () => {
        this.count++;
      },
      flush: () => {},
      close: () => {},
    };
  }
}
