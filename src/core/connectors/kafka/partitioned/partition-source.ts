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
import type { KafkaDeserializer } from '../kafka-deserializer.js';
import type { TaskCommitContext } from './task-commit-context.js';

/** The one split of a partition task: the partition and its next offset (informational). */
export interface PartitionTaskSplit extends SourceSplit {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
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
    private readonly deserializer: KafkaDeserializer<T>,
    private readonly maxRecordsPerPoll: number,
    /** Test/benchmark throttle: records per second (unlimited when undefined). */
    private readonly maxRecordsPerSecond: number | undefined,
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
    return new PartitionTaskReader(
      this.context,
      this.deserializer,
      this.maxRecordsPerPoll,
      this.maxRecordsPerSecond,
    );
  }
}

class PartitionTaskReader<T> implements SourceReader<T, PartitionTaskSplit> {
  private position: number;
  private readonly splitId: string;
  private tokens = 0;
  private lastRefill = Date.now();

  constructor(
    private readonly context: TaskCommitContext,
    private readonly deserializer: KafkaDeserializer<T>,
    private readonly maxRecordsPerPoll: number,
    private readonly maxRecordsPerSecond: number | undefined,
  ) {
    this.position = context.startOffset;
    this.splitId = `${context.topic}/${context.partition}`;
  }

  start(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    const budget = Math.min(this.maxRecordsPerPoll, this.refill());
    if (budget <= 0) return InputStatus.NOTHING_AVAILABLE;
    const records = this.context.take(budget);
    if (this.maxRecordsPerSecond !== undefined) this.tokens -= records.length;
    for (const r of records) {
      output.collect(this.deserializer(r), r.timestamp);
      this.position = r.offset + 1;
    }
    return this.context.buffered() > 0 && this.refill() > 0
      ? InputStatus.MORE_AVAILABLE
      : InputStatus.NOTHING_AVAILABLE;
  }

  isAvailable(): Promise<void> {
    if (this.refill() <= 0) {
      const wait = Math.ceil(1000 / this.maxRecordsPerSecond!);
      return new Promise((resolve) => setTimeout(resolve, wait));
    }
    return this.context.whenAvailable();
  }

  /** Restored splits are ignored: the runner positioned the task (same offset). */
  addSplits(): void {}

  notifyNoMoreSplits(): void {}

  snapshotState(checkpointId: number): PartitionTaskSplit[] {
    this.context.recordOffset(checkpointId, this.position);
    return [
      {
        splitId: this.splitId,
        topic: this.context.topic,
        partition: this.context.partition,
        nextOffset: this.position,
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
