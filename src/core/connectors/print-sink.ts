import { inspect } from 'node:util';
import type { Sink, SinkInitContext, SinkWriter } from './sink.js';

/**
 * Where a {@link PrintSink} writes: `process.stdout`, `process.stderr`, any `Writable`, or a
 * test double. `write` returning `false` and an `once('drain')` method make the sink wait for
 * the stream to drain (backpressure), as with a Node `Writable`.
 */
export interface PrintTarget {
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Options of {@link PrintSink}. */
export interface PrintSinkOptions<T> {
  /** Where to write instead of stdout/stderr. */
  readonly target?: PrintTarget;
  /** How to print a value; default: strings as they are, objects with their own `toString` through it, others via `util.inspect` on one line. */
  readonly format?: (value: T) => string;
}

/**
 * Prints each record on its own line, in Flink's `PrintSink` format:
 * `prefix:n> value` with parallelism > 1 (`n` is the 1-based subtask number, as in Flink),
 * `prefix> value` with parallelism 1, and without a prefix `n> value` or just `value`.
 *
 * @example
 * ```ts
 * stream.sinkTo(new PrintSink('alerts'));           // alerts:2> {...}
 * stream.sinkTo(new PrintSink('errors', true));      // to stderr
 * stream.sinkTo(new PrintSink('t', false, { target: fakeStream }));
 * ```
 */
export class PrintSink<T> implements Sink<T> {
  constructor(
    readonly prefix = '',
    readonly stderr = false,
    private readonly options?: PrintSinkOptions<T>,
  ) {}

  createWriter(context: SinkInitContext): SinkWriter<T> {
    let linePrefix = this.prefix;
    if (context.parallelism > 1) linePrefix += `${linePrefix === '' ? '' : ':'}${context.subtaskIndex + 1}`;
    if (linePrefix !== '') linePrefix += '> ';
    const target = this.options?.target ?? (this.stderr ? process.stderr : process.stdout);
    return new PrintSinkWriter(target, linePrefix, this.options?.format ?? formatValue);
  }
}

/** One parallel writer of a {@link PrintSink}. */
class PrintSinkWriter<T> implements SinkWriter<T> {
  constructor(
    private readonly target: PrintTarget,
    private readonly linePrefix: string,
    private readonly format: (value: T) => string,
  ) {}

  write(value: T): void | Promise<void> {
    const accepted = this.target.write(`${this.linePrefix}${this.format(value)}\n`);
    if (accepted === false && this.target.once !== undefined) {
      return new Promise<void>((resolve) => this.target.once!('drain', resolve));
    }
  }

  flush(_endOfInput: boolean): void {}

  close(): void {}
}

/** Flink prints `toString()`; in JS that is useless for plain objects, so those are inspected. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const ownToString = (value as { toString?: unknown }).toString;
    if (typeof ownToString === 'function' && ownToString !== Object.prototype.toString) return String(value);
  }
  return inspect(value, { breakLength: Number.POSITIVE_INFINITY, depth: 4 });
}
