import type { Sink, SinkInitContext, SinkWriter, SinkWriterContext } from './sink.js';

/** A record as a {@link CollectSink} saw it. */
export interface CollectedRecord<T> {
  readonly value: T;
  /** The record's timestamp, or `null` if it had none. */
  readonly timestamp: number | null;
  /** Which parallel writer received it. */
  readonly subtaskIndex: number;
}

/**
 * A sink that keeps every record in memory, for tests and small local jobs. All parallel writers
 * append to the same arrays (they share one process and one event loop, so appends never
 * interleave mid-record); across writers the order is the order of arrival.
 *
 * Besides the arrays it can be read as an async iterable that yields records as they arrive and
 * ends once the job's writers have all closed. Not fault tolerant: after a restart, the records
 * replayed since the last checkpoint arrive again.
 *
 * @example
 * ```ts
 * const sink = new CollectSink<number>();
 * stream.sinkTo(sink);
 * await env.execute();
 * expect(sink.values).toEqual([1, 2, 3]);
 *
 * // or consume while the job runs:
 * for await (const value of sink) console.log(value);
 * ```
 */
export class CollectSink<T> implements Sink<T>, AsyncIterable<T> {
  /** The record values in arrival order. */
  readonly values: T[] = [];
  /** The same records with their timestamps and writer, in the same order. */
  readonly records: CollectedRecord<T>[] = [];
  private openWriters = 0;
  private readonly closedSubtasks = new Set<number>();
  private parallelism = 0;
  private finished = false;
  private waiters: Array<() => void> = [];

  /** True once every parallel writer has closed: nothing more will arrive. */
  get isFinished(): boolean {
    return this.finished;
  }

  createWriter(context: SinkInitContext): SinkWriter<T> {
    if (this.finished) {
      // The sink is used by another run: its records are appended, and iterators wait for it again.
      this.finished = false;
      this.closedSubtasks.clear();
      this.parallelism = 0;
    }
    this.parallelism = Math.max(this.parallelism, context.parallelism);
    this.openWriters++;
    return new CollectSinkWriter(this, context.subtaskIndex);
  }

  /** Yields the values as they arrive, from the first one; ends when all writers have closed. */
  stream(): AsyncIterableIterator<T> {
    return this.iterate((record) => record.value);
  }

  /** Like {@link stream}, with timestamps and writer index. */
  recordStream(): AsyncIterableIterator<CollectedRecord<T>> {
    return this.iterate((record) => record);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.stream();
  }

  /** @internal called by the writers. */
  add(value: T, timestamp: number | null, subtaskIndex: number): void {
    this.values.push(value);
    this.records.push({ value, timestamp, subtaskIndex });
    this.wakeWaiters();
  }

  /** @internal called by the writers. */
  writerClosed(subtaskIndex: number): void {
    this.openWriters--;
    this.closedSubtasks.add(subtaskIndex);
    // A restarted subtask opens a new writer before the old set is complete, so count subtasks, not writers.
    if (this.openWriters === 0 && this.closedSubtasks.size >= this.parallelism) {
      this.finished = true;
      this.wakeWaiters();
    }
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async *iterate<R>(map: (record: CollectedRecord<T>) => R): AsyncIterableIterator<R> {
    let next = 0;
    for (;;) {
      while (next < this.records.length) yield map(this.records[next++]);
      if (this.finished) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** One parallel writer of a {@link CollectSink}. */
class CollectSinkWriter<T> implements SinkWriter<T> {
  private closed = false;

  constructor(
    private readonly sink: CollectSink<T>,
    private readonly subtaskIndex: number,
  ) {}

  write(value: T, context: SinkWriterContext): void {
    this.sink.add(value, context.timestamp(), this.subtaskIndex);
  }

  flush(_endOfInput: boolean): void {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.writerClosed(this.subtaskIndex);
  }
}
