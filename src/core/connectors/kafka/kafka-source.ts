import { maxRecordsPerPoll, type ReaderOptions } from '../reader-options.js';
import {
  Boundedness,
  type Source,
  type SourceReaderContext,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from '../source.js';
import { StaticSplitEnumerator } from '../static-split-enumerator.js';
import { jsonDeserializer, type KafkaDeserializer } from './kafka-deserializer.js';
import type { KafkaPartitionSplit } from './kafka-partition-split.js';
import type { KafkaPort } from './kafka-port.js';
import { KafkaSourceReader } from './kafka-source-reader.js';

/**
 * Where a partition starts when no checkpoint position is known for it (Flink's
 * `OffsetsInitializer`): `'committed'` (default; the group's committed offset, earliest when none),
 * `'earliest'`, `'latest'`, or `{ timestamp }` (first record at or after it).
 */
export type KafkaStartingOffsets = 'committed' | 'earliest' | 'latest' | { readonly timestamp: number };

/** Options of {@link KafkaSource}. */
export interface KafkaSourceOptions<T> extends ReaderOptions {
  readonly port: KafkaPort;
  /** User topics (must exist; a missing one fails the job with `KafkaMissingTopicsError`). */
  readonly topics: readonly string[];
  /** The consumer group: partitions are spread over its members (every reader of every process). */
  readonly groupId: string;
  readonly startingOffsets?: KafkaStartingOffsets;
  /** Default {@link jsonDeserializer}. */
  readonly deserializer?: KafkaDeserializer<T>;
  /**
   * Records the deserializer rejects go there (original key, value and headers, plus `dlq.*`
   * headers with the reason and origin) and are skipped; created with one partition when missing.
   * Without it such a record fails the job.
   */
  readonly deadLetterTopic?: string;
  /** `'bounded'`: stop at each partition's end offset seen at start (tests, backfills). Default `'continuous'`. */
  readonly mode?: 'bounded' | 'continuous';
  /** Records buffered per partition before the partition is paused (default 2 x maxRecordsPerPoll, at least 512). */
  readonly maxBufferedRecordsPerPartition?: number;
  /** Commit the checkpointed positions to the group when a checkpoint completes (default true). */
  readonly commitOffsetsOnCheckpoint?: boolean;
  /** Consumer session timeout (ms). */
  readonly sessionTimeoutMs?: number;
}

/**
 * A FLIP-27 Kafka source over a consumer group (Flink's `KafkaSource`). Each reader is a group
 * member: its splits are the partitions the group assigns to it, each with its own split output
 * (per-partition watermarks; an idle partition is released by the strategy's `withIdleness`). The
 * split state is the next offset, so positions ride in checkpoints and a restored job resumes
 * exactly after the last record the checkpoint covered; offsets are committed to the group when a
 * checkpoint completes, for monitoring and for partitions that move to another process. Reads
 * read_committed. A partition whose buffer is full is paused and resumed once drained.
 *
 * Limits (kafkajs): no rebalance listener, so a partition moving to another process resumes there
 * from the group's committed offset (the last completed checkpoint's), not from this process's
 * checkpoint: records between may be read twice. Exactly-once across processes is the per-partition
 * model of DESIGN §4, not this source.
 *
 * @example
 * ```ts
 * const port = new KafkajsPort({ brokers: ['127.0.0.1:9092'] });
 * const orders = env.fromSource(
 *   new KafkaSource<Order>({ port, topics: ['orders'], groupId: 'cep', deadLetterTopic: 'orders-dlq' }),
 *   WatermarkStrategy.forBoundedOutOfOrderness<Order>(5_000).withIdleness(30_000),
 *   'orders',
 * );
 * ```
 */
export class KafkaSource<T> implements Source<T, KafkaPartitionSplit, KafkaPartitionSplit[]> {
  /** @internal positions restored from a checkpoint and not yet taken by a reader of this process. */
  readonly restoredPositions = new Map<string, KafkaPartitionSplit>();
  private readonly maxRecordsPerPoll: number;

  constructor(private readonly options: KafkaSourceOptions<T>) {
    this.maxRecordsPerPoll = maxRecordsPerPoll(options);
    if (options.topics.length === 0) throw new RangeError('KafkaSource needs at least one topic');
  }

  getBoundedness(): Boundedness {
    return this.options.mode === 'bounded' ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
  }

  /** Splits come from the consumer group, not from the enumerator: it only says "no more". */
  createEnumerator(
    context: SplitEnumeratorContext<KafkaPartitionSplit>,
  ): SplitEnumerator<KafkaPartitionSplit, KafkaPartitionSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<KafkaPartitionSplit>,
    _state: KafkaPartitionSplit[],
  ): SplitEnumerator<KafkaPartitionSplit, KafkaPartitionSplit[]> {
    return new StaticSplitEnumerator(context, []);
  }

  createReader(context: SourceReaderContext): KafkaSourceReader<T> {
    const o = this.options;
    return new KafkaSourceReader<T>(context, {
      port: o.port,
      topics: o.topics,
      groupId: o.groupId,
      startingOffsets: o.startingOffsets ?? 'committed',
      deserializer: o.deserializer ?? jsonDeserializer<T>,
      deadLetterTopic: o.deadLetterTopic,
      bounded: o.mode === 'bounded',
      maxRecordsPerPoll: this.maxRecordsPerPoll,
      maxBuffered: o.maxBufferedRecordsPerPartition ?? Math.max(512, 2 * this.maxRecordsPerPoll),
      commitOffsetsOnCheckpoint: o.commitOffsetsOnCheckpoint ?? true,
      sessionTimeoutMs: o.sessionTimeoutMs,
      restoredPositions: this.restoredPositions,
    });
  }
}
