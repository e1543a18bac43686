import {
  Boundedness,
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceReader,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../../source.js';
import { StaticSplitEnumerator } from '../../static-split-enumerator.js';
import { deadLetterHeaders, type KafkaDeserializer } from '../kafka-deserializer.js';
import type { KafkaRecord } from '../kafka-port.js';
import { isWatermarkRecord, type UpstreamWatermark, UpstreamWatermarks } from './repartition-watermarks.js';
import type { TaskCommitContext } from './task-commit-context.js';
import type { TaskOutputRecord } from './task-output-record.js';

/** The one split of a partition task: the partition and its next offset (informational). */
export interface PartitionTaskSplit extends SourceSplit {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
  /** Reading a repartition topic: the upstream tasks' watermarks at the snapshot. */
  readonly upstream?: { readonly expected: number; readonly sources: readonly UpstreamWatermark[] };
}

/** How a partition task's source reads its partition. */
export interface PartitionTaskSourceOptions<T> {
  readonly deserializer: KafkaDeserializer<T>;
  readonly maxRecordsPerPoll: number;
  /** Test/benchmark throttle: records per second (unlimited when undefined). */
  readonly maxRecordsPerSecond?: number;
  /**
   * Records the deserializer rejects go to this topic in the task's next transaction (with
   * `dlq.*` headers) and processing continues; without it a rejected record fails the task.
   */
  readonly deadLetterTopic?: string;
  /**
   * `upstream`: the partition belongs to a repartition topic; watermark records of the upstream
   * tasks set the event time (minimum over them, idle ones left out) and never reach the job.
   */
  readonly watermarks: 'strategy' | 'upstream';
}

/**
 * The source of a partition task: the records the runner's group consumer fetched for ONE
 * partition, from the offset the task was restored at. Parallelism 1. Its position is not taken
 * from the engine's restored split but from the runner (the offset stored with the changelog
 * snapshot, the same value). Every snapshot hands the position to the task's commit context, so
 * the checkpoint's transaction commits it with `sendOffsets`.
 */
export class PartitionTaskSource<T> implements Source<T, PartitionTaskSplit, PartitionTaskSplit[]> {
  constructor(
    private readonly context: TaskCommitContext,
    private readonly options: PartitionTaskSourceOptions<T>,
  ) {}

  getBoundedness(): Boundedness {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  createEnumerator(
    context: SplitEnumeratorContext<PartitionTaskSplit>,
  ): SplitEnumerator<PartitionTaskSplit, PartitionTaskSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<PartitionTaskSplit>,
  ): SplitEnumerator<PartitionTaskSplit, PartitionTaskSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  createReader(): SourceReader<T, PartitionTaskSplit> {
    return new PartitionTaskReader(this.context, this.options);
  }
}

class PartitionTaskReader<T> implements SourceReader<T, PartitionTaskSplit> {
  private position: number;
  private readonly splitId: string;
  private tokens = 0;
  private lastRefill = Date.now();
  private readonly maxRecordsPerSecond: number | undefined;
  /** Dead letters since the last snapshot: they go into that checkpoint's transaction. */
  private deadLetters: TaskOutputRecord[] = [];
  private upstream: UpstreamWatermarks | undefined;
  private emittedWatermark = Number.NEGATIVE_INFINITY;
  private emittedIdle = false;
  private polled = false;

  constructor(
    private readonly context: TaskCommitContext,
    private readonly options: PartitionTaskSourceOptions<T>,
  ) {
    this.position = context.startOffset;
    this.splitId = `${context.topic}/${context.partition}`;
    this.maxRecordsPerSecond = options.maxRecordsPerSecond;
    if (options.watermarks === 'upstream') this.upstream = new UpstreamWatermarks();
  }

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (!this.polled) {
      this.polled = true;
      // The source operator creates its watermark generator with the output's first use: a
      // partition that never gets a record would have none, and could never go idle.
      if (this.upstream === undefined) output.markActive();
    }
    const budget = Math.min(this.options.maxRecordsPerPoll, this.refill());
    if (budget <= 0) return InputStatus.NOTHING_AVAILABLE;
    const records = this.context.take(budget);
    if (this.maxRecordsPerSecond !== undefined) this.tokens -= records.length;
    const deserializer = this.options.deserializer;
    const upstream = this.upstream;
    for (const r of records) {
      this.position = r.offset + 1;
      if (upstream !== undefined && isWatermarkRecord(r)) {
        upstream.observe(r);
        this.emitUpstreamWatermark(output, upstream);
        continue;
      }
      let value: T;
      try {
        value = deserializer(r);
      } catch (error) {
        this.deadLetter(r, error);
        continue;
      }
      output.collect(value, r.timestamp);
    }
    // Drained: everything below `expected` was read or filtered (transaction markers, aborted
    // records), so the committed offset may move past them, as a Java consumer's position does;
    // otherwise the group's lag on a repartition topic would never reach 0.
    if (this.context.buffered() === 0 && this.context.expected > this.position) {
      this.position = this.context.expected;
    }
    return this.context.buffered() > 0 && this.refill() > 0
      ? InputStatus.MORE_AVAILABLE
      : InputStatus.NOTHING_AVAILABLE;
  }

  private emitUpstreamWatermark(output: ReaderOutput<T>, upstream: UpstreamWatermarks): void {
    const now = upstream.current();
    if (now === undefined) return;
    if (now.idle) {
      if (!this.emittedIdle) {
        this.emittedIdle = true;
        output.markIdle();
      }
      return;
    }
    if (this.emittedIdle) {
      this.emittedIdle = false;
      output.markActive();
    }
    if (now.watermark > this.emittedWatermark) {
      this.emittedWatermark = now.watermark;
      output.emitWatermark(now.watermark);
    }
  }

  private deadLetter(record: KafkaRecord, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    const topic = this.options.deadLetterTopic;
    if (topic === undefined) {
      throw new Error(
        `cannot decode record ${record.topic}/${record.partition}@${record.offset}: ${reason} (configure a dead-letter topic to skip such records)`,
        { cause: error },
      );
    }
    this.deadLetters.push({
      topic,
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: deadLetterHeaders(record, reason),
    });
  }

  isAvailable(): Promise<void> {
    if (this.refill() <= 0) {
      const wait = Math.ceil(1000 / this.maxRecordsPerSecond!);
      return new Promise((resolve) => setTimeout(resolve, wait));
    }
    return this.context.whenAvailable();
  }

  /**
   * Restored splits: the position is the runner's (the offset stored with the changelog
   * snapshot, the same value); only the upstream watermarks are taken from them.
   */
  addSplits(splits: readonly PartitionTaskSplit[]): void {
    if (this.options.watermarks !== 'upstream') return;
    for (const split of splits) {
      if (split.upstream === undefined) continue;
      this.upstream = new UpstreamWatermarks(split.upstream.sources, split.upstream.expected);
    }
  }

  notifyNoMoreSplits(): void {}

  snapshotState(checkpointId: number): PartitionTaskSplit[] {
    this.context.recordOffset(checkpointId, this.position);
    if (this.deadLetters.length > 0) {
      this.context.addOutputs(checkpointId, this.deadLetters);
      this.deadLetters = [];
    }
    return [
      {
        splitId: this.splitId,
        topic: this.context.topic,
        partition: this.context.partition,
        nextOffset: this.position,
        ...(this.upstream !== undefined ? { upstream: this.upstream.snapshot() } : {}),
      },
    ];
  }

  close(): void {}

  private refill(): number {
    const rate = this.maxRecordsPerSecond;
    if (rate === undefined) return Number.POSITIVE_INFINITY;
    const now = Date.now();
    this.tokens = Math.min(rate / 4, this.tokens + ((now - this.lastRefill) * rate) / 1000);
    this.lastRefill = now;
    return Math.floor(this.tokens);
  }
}
