import { AVAILABLE, AvailabilityNotifier } from '../availability.js';
import {
  InputStatus,
  type ReaderOutput,
  type SourceOutput,
  type SourceReader,
  type SourceReaderContext,
} from '../source.js';
import type { LocalLog } from './local-log.js';
import {
  type DeadLetter,
  type DeadLetterHandler,
  type DeadLetterTopic,
  DeadLetterTopicWriter,
} from './local-log-dead-letter.js';
import type { LocalLogSplit } from './local-log-split.js';
import type { LogRecord } from './log-record.js';
import type { LogPartitionReader } from './partition-reader.js';

/** What a {@link LocalLogSourceReader} needs, resolved by the source. */
export interface LocalLogSourceReaderConfig<T> {
  readonly log: LocalLog;
  readonly deserializer: (record: LogRecord) => T;
  readonly maxRecordsPerPoll: number;
  readonly onDeadLetter: DeadLetterHandler | undefined;
  readonly deadLetterTopic: DeadLetterTopic | undefined;
  /** Names the dead-letter transactions. */
  readonly sourceTopic: string;
}

/** An assigned partition being read. */
interface ActiveSplit {
  readonly splitId: string;
  readonly topic: string;
  readonly partition: number;
  readonly stopOffset: number | null;
  readonly reader: LogPartitionReader;
  /** The split's output, created on its first records. */
  output: SourceOutput<unknown>;
}

/**
 * Reads the partitions (splits) assigned to one parallel instance of a {@link LocalLogSource}: in
 * turn, up to `maxRecordsPerPoll` records per `pollNext`, never blocking. Each partition has its
 * own split output (per-partition watermarks, as Kafka sources do) and records carry their log
 * timestamp. A partition ends at its `stopOffset` (bounded mode) or never (continuous mode).
 *
 * With nothing committed to read, `isAvailable()` waits on `waitForCommit` of every partition (the
 * writer's commit events in its own process, a slow poll of the commit log in another), so an idle
 * reader costs nothing. Records that fail to deserialize go to the dead-letter handler and/or topic
 * and are skipped; with neither configured they fail the task.
 *
 * @example
 * ```ts
 * const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, sendSplitRequest() {} });
 * reader.addSplits([{ splitId: 'orders/0', topic: 'orders', partition: 0, nextOffset: 0, stopOffset: null }]);
 * reader.pollNext(output); // emits what is committed
 * ```
 */
export class LocalLogSourceReader<T> implements SourceReader<T, LocalLogSplit> {
  private splits: ActiveSplit[] = [];
  private cursor = 0;
  private noMoreSplits = false;
  private closed = false;
  private waiting: AbortController | null = null;
  private readonly availability = new AvailabilityNotifier();
  private readonly deadLetterWriter: DeadLetterTopicWriter | undefined;

  constructor(
    context: SourceReaderContext,
    private readonly config: LocalLogSourceReaderConfig<T>,
  ) {
    const dl = config.deadLetterTopic;
    this.deadLetterWriter =
      dl === undefined
        ? undefined
        : new DeadLetterTopicWriter(
            dl,
            `${dl.topic}-dead-letters-${config.sourceTopic}-${context.subtaskIndex}`,
          );
  }

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    const max = this.config.maxRecordsPerPoll;
    let emitted = 0;
    let visited = 0;
    try {
      while (emitted < max && visited < this.splits.length) {
        if (this.cursor >= this.splits.length) this.cursor = 0;
        const split = this.splits[this.cursor]!;
        const position = split.reader.position;
        if (split.stopOffset !== null && position >= split.stopOffset) {
          this.finishSplit(output, this.cursor);
          continue;
        }
        const limit =
          split.stopOffset === null ? max - emitted : Math.min(max - emitted, split.stopOffset - position);
        const records = split.reader.poll(limit);
        if (records.length > 0 && split.output === NO_OUTPUT) {
          split.output = output.createOutputForSplit(split.splitId) as SourceOutput<unknown>;
        }
        for (const record of records) {
          const value = this.decode(split, record);
          if (value !== SKIP) (split.output as SourceOutput<T>).collect(value, record.timestamp);
        }
        emitted += records.length;
        if (split.stopOffset !== null && split.reader.position >= split.stopOffset) {
          this.finishSplit(output, this.cursor);
          continue;
        }
        this.cursor++;
        visited++;
      }
    } finally {
      this.deadLetterWriter?.commit();
    }
    if (emitted >= max) return InputStatus.MORE_AVAILABLE;
    if (this.splits.length === 0) {
      return this.noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
    }
    return emitted > 0 ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    if (this.closed) return AVAILABLE;
    if (this.splits.length === 0) return this.noMoreSplits ? AVAILABLE : this.availability.wait();
    const log = this.config.log;
    for (const s of this.splits) {
      const position = s.reader.position;
      if (s.stopOffset !== null && position >= s.stopOffset) return AVAILABLE;
      if (log.committedEnd(s.topic, s.partition) > position) return AVAILABLE;
    }
    const wait = this.availability.wait();
    if (this.waiting === null) this.waitForCommits();
    return wait;
  }

  addSplits(splits: LocalLogSplit[]): void {
    for (const s of splits) {
      this.splits.push({
        splitId: s.splitId,
        topic: s.topic,
        partition: s.partition,
        stopOffset: s.stopOffset,
        reader: this.config.log.reader(s.topic, s.partition, s.nextOffset),
        output: NO_OUTPUT,
      });
    }
    // Re-arm the wait so that it covers the new partitions too.
    this.stopWaiting();
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(_checkpointId: number): LocalLogSplit[] {
    const state: LocalLogSplit[] = [];
    for (const s of this.splits) {
      const nextOffset = s.reader.position;
      if (s.stopOffset !== null && nextOffset >= s.stopOffset) continue;
      state.push({
        splitId: s.splitId,
        topic: s.topic,
        partition: s.partition,
        nextOffset,
        stopOffset: s.stopOffset,
      });
    }
    return state;
  }

  close(): void {
    this.closed = true;
    this.stopWaiting();
    for (const s of this.splits) s.reader.close();
    this.splits = [];
    this.availability.notify();
  }

  private decode(split: ActiveSplit, record: LogRecord): T | typeof SKIP {
    try {
      return this.config.deserializer(record);
    } catch (error) {
      const deadLetter: DeadLetter = {
        topic: split.topic,
        partition: split.partition,
        offset: record.offset,
        record,
        reason: error instanceof Error ? error.message : String(error),
        error,
      };
      const { onDeadLetter } = this.config;
      if (onDeadLetter === undefined && this.deadLetterWriter === undefined) {
        throw new Error(
          `cannot decode record ${split.topic}/${split.partition}@${record.offset}: ${deadLetter.reason} (configure a dead-letter handler or topic to skip such records)`,
          { cause: error },
        );
      }
      onDeadLetter?.(deadLetter);
      this.deadLetterWriter?.add(deadLetter);
      return SKIP;
    }
  }

  private finishSplit(output: ReaderOutput<T>, index: number): void {
    const [split] = this.splits.splice(index, 1);
    split!.reader.close();
    if (split!.output !== NO_OUTPUT) output.releaseOutputForSplit(split!.splitId);
  }

  /** Waits for the next commit on any assigned partition, then wakes the runtime. */
  private waitForCommits(): void {
    const controller = new AbortController();
    this.waiting = controller;
    for (const s of this.splits) {
      s.reader.waitForCommit({ signal: controller.signal }).then((ok) => {
        if (controller.signal.aborted) return;
        // Resolved without a commit: the log was closed; the next poll reports it.
        void ok;
        this.stopWaiting();
        this.availability.notify();
      });
    }
  }

  private stopWaiting(): void {
    const controller = this.waiting;
    this.waiting = null;
    controller?.abort();
  }
}

const SKIP: unique symbol = Symbol('skip');
const NO_OUTPUT: SourceOutput<unknown> = {
  collect() {},
  emitWatermark() {},
  markIdle() {},
  markActive() {},
};
