import type { SinkWriterContext } from '../sink.js';
import type { PrecommittingSinkWriter } from '../two-phase-commit/precommitting-sink-writer.js';
import type { LocalLog } from './local-log.js';
import type { PreparedTransaction } from './log-transaction.js';

/** A record waiting for the next transaction. */
interface BufferedOutput {
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer | Uint8Array | string;
  readonly timestamp: number;
}

/** What a {@link LocalLogSinkWriter} needs, resolved by the sink. */
export interface LocalLogSinkWriterConfig<T> {
  readonly log: LocalLog;
  readonly topic: string;
  readonly transactionalId: string;
  readonly exactlyOnce: boolean;
  /** At-least-once: commit once this many records are buffered. */
  readonly maxBufferedRecords: number;
  readonly serialize: (value: T) => Buffer | Uint8Array | string;
  readonly key: ((value: T) => Buffer | string | null | undefined) | undefined;
  readonly partition: (value: T, key: Buffer | null) => number;
}

/**
 * One parallel writer of a {@link LocalLogSink}. Records are buffered in memory (serialized, with
 * their partition) until the checkpoint barrier:
 *
 * - exactly-once: `prepareCommit(checkpointId)` writes them in one log transaction
 *   `<sinkName>-<subtask>` with `seq` = the checkpoint id (or one more than the last seq used or
 *   committed by that id, if larger: a job restarted without state, or a harness counting from 1),
 *   prepares it (data written and fsynced, invisible) and returns its handle as the committable;
 * - at-least-once: the records are committed right away at every barrier, at `flush` and whenever
 *   `maxBufferedRecords` are buffered; there are no committables.
 *
 * @example
 * ```ts
 * const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
 * writer.write({ id: 1 }, context);
 * const [handle] = writer.prepareCommit(7); // transaction 'alerts-sink-0' #7, prepared
 * ```
 */
export class LocalLogSinkWriter<T> implements PrecommittingSinkWriter<T, PreparedTransaction> {
  private buffer: BufferedOutput[] = [];
  private lastSeq = 0;

  constructor(private readonly config: LocalLogSinkWriterConfig<T>) {}

  write(value: T, context: SinkWriterContext): void {
    const c = this.config;
    const rawKey = c.key?.(value);
    const key =
      rawKey === undefined || rawKey === null
        ? null
        : typeof rawKey === 'string'
          ? Buffer.from(rawKey, 'utf8')
          : rawKey;
    this.buffer.push({
      partition: c.partition(value, key),
      key,
      value: c.serialize(value),
      timestamp: context.timestamp() ?? Date.now(),
    });
    if (!c.exactlyOnce && this.buffer.length >= c.maxBufferedRecords) this.commitNow();
  }

  flush(_endOfInput: boolean): void {
    if (!this.config.exactlyOnce) this.commitNow();
  }

  prepareCommit(checkpointId?: number): PreparedTransaction[] {
    if (!this.config.exactlyOnce) {
      this.commitNow();
      return [];
    }
    if (this.buffer.length === 0) return [];
    const c = this.config;
    const committed = c.log.lastCommit(c.transactionalId)?.seq ?? 0;
    const seq = Math.max(checkpointId ?? 0, committed + 1, this.lastSeq + 1);
    const txn = c.log.beginTransaction(c.transactionalId, { seq });
    this.lastSeq = seq;
    try {
      this.appendAll(txn);
      return [txn.prepareSync()];
    } catch (e) {
      if (txn.state === 'open') txn.abortSync();
      throw e;
    }
  }

  /** Drops what was not pre-committed; prepared transactions stay for the committer (or recovery). */
  close(): void {
    this.buffer = [];
  }

  private commitNow(): void {
    if (this.buffer.length === 0) return;
    const txn = this.config.log.beginTransaction(this.config.transactionalId);
    try {
      this.appendAll(txn);
      txn.commitSync();
    } catch (e) {
      if (txn.state === 'open') txn.abortSync();
      throw e;
    }
  }

  private appendAll(txn: ReturnType<LocalLog['beginTransaction']>): void {
    const topic = this.config.topic;
    for (const r of this.buffer) {
      txn.append(topic, r.partition, r.value, { key: r.key, timestamp: r.timestamp });
    }
    this.buffer = [];
  }
}
