import { AVAILABLE, AvailabilityNotifier } from './availability.js';
import { maxRecordsPerPoll, type ReaderOptions } from './reader-options.js';
import {
  Boundedness,
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from './source.js';
import { StaticSplitEnumerator } from './static-split-enumerator.js';

/** The single split of an {@link AsyncIterableSource}: how many items were already emitted. */
export interface AsyncIterableSplit extends SourceSplit {
  readonly splitId: string;
  /** Items emitted before the snapshot; a restored reader skips this many. */
  readonly consumed: number;
}

/** Options of {@link AsyncIterableSource}. */
export interface AsyncIterableSourceOptions extends ReaderOptions {
  /** Whether the iterable ends (default true). Only reported to the runtime; reading is the same. */
  readonly bounded?: boolean;
  /** How many items the reader pulls ahead of `pollNext` from an async iterable (default 100). */
  readonly maxBufferedItems?: number;
}

/**
 * A source over an (async) iterable made by `iterableFactory`: a generator, a stream, a cursor.
 * It has one split, so it reads with parallelism 1 whatever the job's parallelism (the other
 * readers end at once).
 *
 * The position is the number of items emitted. A restored job calls `iterableFactory` again and
 * skips that many items, so exactly-once holds only if the factory replays the same items in the
 * same order (a file, a fixed query); for anything else it is at-most/at-least-once at best.
 *
 * Async iterables are read ahead in the background into a bounded buffer, so `pollNext` never
 * waits; sync iterables are pulled directly inside `pollNext`, without any promise.
 *
 * @example
 * ```ts
 * async function* ticks() { for (let i = 0; ; i++) { await sleep(10); yield i; } }
 * env.fromSource(new AsyncIterableSource(ticks, { bounded: false }), WatermarkStrategy.noWatermarks(), 'ticks');
 * ```
 */
export class AsyncIterableSource<T> implements Source<T, AsyncIterableSplit, AsyncIterableSplit[]> {
  constructor(
    private readonly iterableFactory: () => AsyncIterable<T> | Iterable<T>,
    private readonly options?: AsyncIterableSourceOptions,
  ) {}

  getBoundedness(): Boundedness {
    return this.options?.bounded === false ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
  }

  createEnumerator(
    context: SplitEnumeratorContext<AsyncIterableSplit>,
  ): SplitEnumerator<AsyncIterableSplit, AsyncIterableSplit[]> {
    return new StaticSplitEnumerator(context, [{ splitId: 'iterable', consumed: 0 }]);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<AsyncIterableSplit>,
    state: AsyncIterableSplit[],
  ): SplitEnumerator<AsyncIterableSplit, AsyncIterableSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(_context: SourceReaderContext): SourceReader<T, AsyncIterableSplit> {
    return new AsyncIterableReader(this.iterableFactory, this.options);
  }
}

/** The iteration of the current split. */
interface Iteration<T> {
  readonly splitId: string;
  readonly sync: Iterator<T> | null;
  readonly async: AsyncIterator<T> | null;
  /** Items still to skip (restore). */
  toSkip: number;
  /** Items emitted: the snapshot position. */
  consumed: number;
  /** The iterator reported `done` (async: everything left is in the buffer). */
  done: boolean;
}

/** Reads the splits of an {@link AsyncIterableSource}; see there. */
class AsyncIterableReader<T> implements SourceReader<T, AsyncIterableSplit> {
  private readonly queue: AsyncIterableSplit[] = [];
  private current: Iteration<T> | null = null;
  private buffer: T[] = [];
  private head = 0;
  private pumping = false;
  private failure: { error: unknown } | null = null;
  private readonly availability = new AvailabilityNotifier();
  private readonly maxRecordsPerPoll: number;
  private readonly maxBufferedItems: number;
  private started = false;
  private closed = false;
  private noMoreSplits = false;

  constructor(
    private readonly iterableFactory: () => AsyncIterable<T> | Iterable<T>,
    options: AsyncIterableSourceOptions | undefined,
  ) {
    this.maxRecordsPerPoll = maxRecordsPerPoll(options);
    this.maxBufferedItems = options?.maxBufferedItems ?? 100;
    if (!Number.isInteger(this.maxBufferedItems) || this.maxBufferedItems < 1) {
      throw new RangeError(`maxBufferedItems must be a positive integer, got ${this.maxBufferedItems}`);
    }
  }

  start(): void {
    this.started = true;
    this.maybePump();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    let emitted = 0;
    for (;;) {
      const it = this.current;
      if (it === null) {
        const next = this.queue.shift();
        if (next !== undefined) {
          this.begin(next);
          continue;
        }
        return this.noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
      }
      if (emitted >= this.maxRecordsPerPoll) {
        this.maybePump();
        return InputStatus.MORE_AVAILABLE;
      }
      if (it.sync !== null) {
        const result = it.sync.next();
        if (result.done) {
          this.current = null;
          continue;
        }
        it.consumed++;
        output.collect(result.value);
        emitted++;
        continue;
      }
      if (this.head < this.buffer.length) {
        const value = this.buffer[this.head];
        this.buffer[this.head] = undefined as T; // let the item be collected
        this.head++;
        it.consumed++;
        output.collect(value);
        emitted++;
        continue;
      }
      if (it.done) {
        this.current = null;
        continue;
      }
      // Items pulled before the failure are emitted first.
      if (this.failure !== null) throw this.failure.error;
      this.maybePump();
      return InputStatus.NOTHING_AVAILABLE;
    }
  }

  isAvailable(): Promise<void> {
    if (this.failure !== null || this.closed) return AVAILABLE;
    const it = this.current;
    if (it === null) return this.queue.length > 0 || this.noMoreSplits ? AVAILABLE : this.availability.wait();
    if (it.sync !== null || it.done || this.head < this.buffer.length) return AVAILABLE;
    this.maybePump();
    return this.availability.wait();
  }

  addSplits(splits: AsyncIterableSplit[]): void {
    this.queue.push(...splits);
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(_checkpointId: number): AsyncIterableSplit[] {
    const splits: AsyncIterableSplit[] = [];
    const it = this.current;
    // Items pulled ahead but not emitted are not counted: a restore pulls them again.
    if (it !== null) splits.push({ splitId: it.splitId, consumed: it.consumed });
    splits.push(...this.queue);
    return splits;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.availability.notify();
    const it = this.current;
    this.current = null;
    if (it === null) return;
    if (it.sync !== null) {
      it.sync.return?.();
    } else if (it.async !== null) {
      // With a next() in flight, an async generator would only run return() after it, which for a
      // stalled producer is never: then let it go without waiting.
      const returned = it.async.return?.();
      if (!this.pumping) await returned;
      else returned?.catch(() => {});
    }
  }

  private begin(split: AsyncIterableSplit): void {
    this.buffer = [];
    this.head = 0;
    const iterable = this.iterableFactory();
    const asyncFactory = (iterable as AsyncIterable<T>)[Symbol.asyncIterator];
    const it: Iteration<T> = {
      splitId: split.splitId,
      sync: asyncFactory === undefined ? (iterable as Iterable<T>)[Symbol.iterator]() : null,
      async: asyncFactory === undefined ? null : asyncFactory.call(iterable),
      toSkip: split.consumed,
      consumed: split.consumed,
      done: false,
    };
    this.current = it;
    if (it.sync !== null) {
      while (it.toSkip > 0 && !it.sync.next().done) it.toSkip--;
    }
    this.maybePump();
  }

  /** Starts pulling ahead from an async iterator unless already pulling or the buffer is still half full. */
  private maybePump(): void {
    const it = this.current;
    if (!this.started || this.pumping || this.closed || this.failure !== null) return;
    if (it === null || it.async === null || it.done) return;
    if ((this.buffer.length - this.head) * 2 > this.maxBufferedItems) return;
    this.pumping = true;
    this.pump(it, it.async).then(
      () => {
        this.pumping = false;
        this.availability.notify();
      },
      (error: unknown) => {
        this.pumping = false;
        this.failure = { error };
        this.availability.notify();
      },
    );
  }

  private async pump(it: Iteration<T>, iterator: AsyncIterator<T>): Promise<void> {
    if (this.head > 0) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    while (this.buffer.length - this.head < this.maxBufferedItems) {
      const result = await iterator.next();
      if (this.closed || this.current !== it) return;
      if (result.done) {
        it.done = true;
        return;
      }
      if (it.toSkip > 0) {
        it.toSkip--;
        continue;
      }
      this.buffer.push(result.value);
      this.availability.notify();
    }
  }
}
