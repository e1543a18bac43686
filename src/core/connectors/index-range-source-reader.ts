import { AVAILABLE, AvailabilityNotifier } from './availability.js';
import type { IndexRangeSplit } from './index-range-split.js';
import type { RateLimiter } from './rate-limiter.js';
import { maxRecordsPerPoll, type ReaderOptions } from './reader-options.js';
import { InputStatus, type ReaderOutput, type SourceReader, type SourceReaderContext } from './source.js';

/** Options of {@link IndexRangeSourceReader}. */
export interface IndexRangeSourceReaderOptions extends ReaderOptions {
  /** Throttles emission; when it says no, `pollNext` returns NOTHING_AVAILABLE until its timer. */
  readonly rateLimiter?: RateLimiter;
  /** Ask the enumerator for a split whenever idle (for `on-request` enumerators). Default false. */
  readonly requestSplits?: boolean;
}

interface MutableSplit {
  readonly splitId: string;
  readonly start: number;
  readonly end: number;
  position: number;
}

/**
 * Reads {@link IndexRangeSplit}s synchronously: the record at index `i` is `valueAt(i)`. Splits are
 * read one after the other in the order they arrive, indexes in ascending order, so the records of
 * one reader keep their order. The position in a snapshot is the next index to emit.
 */
export class IndexRangeSourceReader<T> implements SourceReader<T, IndexRangeSplit> {
  private readonly splits: MutableSplit[] = [];
  private readonly availability = new AvailabilityNotifier();
  private readonly maxRecordsPerPoll: number;
  private readonly rateLimiter: RateLimiter | null;
  private readonly requestSplits: boolean;
  private noMoreSplits = false;
  private splitRequested = false;

  constructor(
    private readonly context: SourceReaderContext,
    private readonly valueAt: (index: number) => T,
    options?: IndexRangeSourceReaderOptions,
  ) {
    this.maxRecordsPerPoll = maxRecordsPerPoll(options);
    this.rateLimiter = options?.rateLimiter ?? null;
    this.requestSplits = options?.requestSplits ?? false;
  }

  start(): void {
    // Split requests (pull mode) wait for the first pollNext: restored splits may be added after
    // start() and must be read before newly requested ones.
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    let emitted = 0;
    for (;;) {
      const split = this.splits[0];
      if (split === undefined) {
        if (this.noMoreSplits) return InputStatus.END_OF_INPUT;
        this.requestSplit();
        // The request may have been answered synchronously.
        if (this.splits.length > 0 || this.noMoreSplits) continue;
        return InputStatus.NOTHING_AVAILABLE;
      }
      if (split.position >= split.end) {
        this.splits.shift();
        continue;
      }
      if (emitted >= this.maxRecordsPerPoll) return InputStatus.MORE_AVAILABLE;
      if (this.rateLimiter !== null && !this.rateLimiter.tryAcquire()) return InputStatus.NOTHING_AVAILABLE;
      const value = this.valueAt(split.position);
      split.position++;
      output.collect(value);
      emitted++;
    }
  }

  isAvailable(): Promise<void> {
    const split = this.splits[0];
    if (split === undefined) return this.noMoreSplits ? AVAILABLE : this.availability.wait();
    if (this.rateLimiter !== null && split.position < split.end) return this.rateLimiter.whenAvailable();
    return AVAILABLE;
  }

  addSplits(splits: IndexRangeSplit[]): void {
    for (const s of splits)
      this.splits.push({ splitId: s.splitId, start: s.start, end: s.end, position: s.position });
    this.splitRequested = false;
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(_checkpointId: number): IndexRangeSplit[] {
    const state: IndexRangeSplit[] = [];
    for (const s of this.splits) {
      if (s.position < s.end)
        state.push({ splitId: s.splitId, start: s.start, end: s.end, position: s.position });
    }
    return state;
  }

  close(): void {
    this.rateLimiter?.close();
    // Release a runtime still waiting on isAvailable().
    this.noMoreSplits = true;
    this.availability.notify();
  }

  private requestSplit(): void {
    if (!this.requestSplits || this.noMoreSplits || this.splitRequested) return;
    this.splitRequested = true;
    this.context.sendSplitRequest();
  }
}
