import type { SinkInitContext } from '../sink.js';
import type { TwoPhaseCommittingSink } from '../two-phase-commit/two-phase-committing-sink.js';
import type { LocalLog } from './local-log.js';
import { LocalLogCommitter } from './local-log-committer.js';
import { type LocalLogPartitioner, partitionChooser } from './local-log-partitioner.js';
import { LocalLogSinkWriter } from './local-log-sink-writer.js';
import type { PreparedTransaction } from './log-transaction.js';

/** What a sink promises about its output after failures. */
export type DeliveryGuarantee = 'exactly-once' | 'at-least-once';

/** Options of {@link LocalLogSink}. */
export interface LocalLogSinkOptions<T> {
  /** The log to write to, opened for writing by the application (the sink does not close it). */
  readonly log: LocalLog;
  /** The topic to write to; it must exist (`log.createTopic`). */
  readonly topic: string;
  /**
   * Prefix of the transactional ids `<name>-<subtask>` (default `<topic>-sink`). Must be unique
   * among the writers of the log and stable across restarts: recovery finds its transactions by it.
   */
  readonly name?: string;
  /** `exactly-once` (default): visible when the checkpoint completes. `at-least-once`: at every barrier. */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /** Record -> bytes (default `JSON.stringify`, read back with `jsonValue`). */
  readonly serializer?: (value: T) => Buffer | Uint8Array | string;
  /** Record -> key (default: no key). */
  readonly key?: (value: T) => Buffer | string | null | undefined;
  /** Partition choice (default `'key-hash'`, round robin for records without a key). */
  readonly partitioner?: LocalLogPartitioner<T>;
  /** At-least-once only: commit once this many records are buffered (default 1000). */
  readonly maxBufferedRecords?: number;
  /** How long a commit may wait for other subtasks' earlier transactions on shared partitions (default 60 s). */
  readonly commitBlockedTimeoutMs?: number;
}

/**
 * Writes records to a topic of a {@link LocalLog} (the embedded mode's Kafka sink).
 *
 * **Exactly-once** (default): each parallel writer keeps one log transaction per checkpoint
 * interval, `<name>-<subtask>` with seq = the checkpoint id. At the checkpoint barrier the
 * transaction is prepared (written and fsynced, invisible to readers); its handle is stored in the
 * checkpoint; when the checkpoint completes it is committed ({@link LocalLog.commitPrepared},
 * idempotent). After a failure the restored handles are committed again (no-ops for those already
 * committed), then the writer's lingering work is dropped: live transactions of a failed attempt in
 * this process and prepared data of a crashed process on the sink's topic. Readers thus see each
 * record once, after its checkpoint completed (or at the end of a bounded input). Records are held
 * in memory until the barrier, so the checkpoint interval bounds the memory used.
 *
 * **At-least-once**: records are committed at every barrier (and each `maxBufferedRecords`), so they
 * are visible sooner; after a failure, those since the last completed checkpoint are written again.
 *
 * Use one exactly-once sink per topic: recovery drops every uncommitted record of the topic.
 *
 * @example
 * ```ts
 * const log = await LocalLog.open('data/log');
 * await log.createTopic('alerts', 4);
 * stream.sinkTo(new LocalLogSink<Alert>({ log, topic: 'alerts', key: (a) => a.account }));
 * // a read-committed reader sees the alerts once their checkpoint completed:
 * log.reader('alerts', 0).poll(100).map((r) => jsonValue<Alert>(r));
 * ```
 */
export class LocalLogSink<T> implements TwoPhaseCommittingSink<T, PreparedTransaction> {
  readonly twoPhaseCommit = true as const;
  /** The transactional-id prefix. */
  readonly name: string;
  readonly deliveryGuarantee: DeliveryGuarantee;

  constructor(private readonly options: LocalLogSinkOptions<T>) {
    this.name = options.name ?? `${options.topic}-sink`;
    this.deliveryGuarantee = options.deliveryGuarantee ?? 'exactly-once';
    const max = options.maxBufferedRecords ?? 1000;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxBufferedRecords must be a positive integer, got ${max}`);
    }
  }

  /** The transactional id of the writer of `subtaskIndex`. */
  transactionalId(subtaskIndex: number): string {
    return `${this.name}-${subtaskIndex}`;
  }

  createWriter(context: SinkInitContext): LocalLogSinkWriter<T> {
    const o = this.options;
    const partitions = o.log.partitions(o.topic);
    return new LocalLogSinkWriter<T>({
      log: o.log,
      topic: o.topic,
      transactionalId: this.transactionalId(context.subtaskIndex),
      exactlyOnce: this.deliveryGuarantee === 'exactly-once',
      maxBufferedRecords: o.maxBufferedRecords ?? 1000,
      serialize: o.serializer ?? ((value: T) => JSON.stringify(value)),
      key: o.key,
      partition: partitionChooser(o.partitioner ?? 'key-hash', partitions, context.subtaskIndex),
    });
  }

  createCommitter(_context: SinkInitContext): LocalLogCommitter {
    return new LocalLogCommitter(this.options.log, { blockedTimeoutMs: this.options.commitBlockedTimeoutMs });
  }

  /**
   * Drops this sink's lingering transactions: those a failed attempt left live in this process, and
   * uncommitted data a crashed process left on the topic. Runs after the restored handles were
   * committed.
   */
  recoverLingering(_context: SinkInitContext): void {
    const log = this.options.log;
    const prefix = `${this.name}-`;
    log.abortLiveTransactionsSync((id) => id.startsWith(prefix) && /^\d+$/.test(id.slice(prefix.length)));
    log.abortPendingSync([this.options.topic]);
  }
}
