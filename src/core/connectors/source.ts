/**
 * The general source contract, after Flink's FLIP-27: a source is cut into splits (files, number
 * ranges, Kafka partitions); a split enumerator hands splits to the parallel readers; each reader
 * emits records from its splits and can report its splits with their current read positions, which
 * is what a checkpoint stores.
 */

/** Whether a source ends (`BOUNDED`) or runs forever (`CONTINUOUS_UNBOUNDED`). */
export enum Boundedness {
  BOUNDED = 'BOUNDED',
  CONTINUOUS_UNBOUNDED = 'CONTINUOUS_UNBOUNDED',
}

/** A unit of work with its read position. Must be plain data: it is stored in snapshots. */
export interface SourceSplit {
  readonly splitId: string;
}

/** What `pollNext` says about the reader after the call. */
export enum InputStatus {
  /** Call `pollNext` again soon. */
  MORE_AVAILABLE = 'MORE_AVAILABLE',
  /** Wait for `isAvailable()` before polling again. */
  NOTHING_AVAILABLE = 'NOTHING_AVAILABLE',
  /** Every split is finished and no more will come. */
  END_OF_INPUT = 'END_OF_INPUT',
}

/** Where a reader emits records; `createOutputForSplit` gives per-split watermarks (Kafka partitions). */
export interface ReaderOutput<T> extends SourceOutput<T> {
  createOutputForSplit(splitId: string): SourceOutput<T>;
  releaseOutputForSplit(splitId: string): void;
}

/** Emits records; `timestamp` is the record's own time (e.g. a Kafka record timestamp) if it has one. */
export interface SourceOutput<T> {
  collect(record: T, timestamp?: number): void;
  /** Emits a watermark directly (sources that know their event time); usually left to the strategy. */
  emitWatermark(watermark: number): void;
  markIdle(): void;
  markActive(): void;
}

/** What a reader knows about where it runs. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Asks the enumerator for another split (pull-based assignment, as file sources do). */
  sendSplitRequest(): void;
}

/**
 * Reads records from the splits assigned to one parallel instance. `pollNext` is called from the
 * task loop and must not block: it emits what is ready (a bounded batch) and returns.
 */
export interface SourceReader<T, SplitT extends SourceSplit = SourceSplit> {
  start(): void | Promise<void>;
  pollNext(output: ReaderOutput<T>): InputStatus;
  /** Resolves when `pollNext` may have more; only awaited after `NOTHING_AVAILABLE`. */
  isAvailable(): Promise<void>;
  addSplits(splits: SplitT[]): void;
  /** No further splits will be assigned; a bounded reader ends once its splits are done. */
  notifyNoMoreSplits(): void;
  /** The assigned, unfinished splits with their current positions. */
  snapshotState(checkpointId: number): SplitT[];
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close(): void | Promise<void>;
}

/** What an enumerator can do with the readers. */
export interface SplitEnumeratorContext<SplitT extends SourceSplit> {
  currentParallelism(): number;
  /** Subtask indexes that have registered readers. */
  registeredReaders(): number[];
  assignSplit(split: SplitT, subtaskIndex: number): void;
  signalNoMoreSplits(subtaskIndex: number): void;
}

/** Discovers splits and assigns them to readers. Runs once per source, in the job's process. */
export interface SplitEnumerator<SplitT extends SourceSplit, EnumState> {
  start(): void;
  handleSplitRequest(subtaskIndex: number): void;
  /** Splits given back by a failed reader, to be assigned again. */
  addSplitsBack(splits: SplitT[], subtaskIndex: number): void;
  addReader(subtaskIndex: number): void;
  snapshotState(checkpointId: number): EnumState;
  close(): void;
}

/**
 * A source of records of type `T`.
 *
 * @example
 * ```ts
 * const stream = env.fromSource(new NumberSequenceSource(1, 1000), WatermarkStrategy.noWatermarks(), 'numbers');
 * ```
 */
export interface Source<T, SplitT extends SourceSplit = SourceSplit, EnumState = unknown> {
  getBoundedness(): Boundedness;
  createEnumerator(context: SplitEnumeratorContext<SplitT>): SplitEnumerator<SplitT, EnumState>;
  restoreEnumerator(
    context: SplitEnumeratorContext<SplitT>,
    state: EnumState,
  ): SplitEnumerator<SplitT, EnumState>;
  createReader(context: SourceReaderContext): SourceReader<T, SplitT>;
}
