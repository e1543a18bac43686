import type { LocalLog } from './local-log.js';
import type { LogRecord } from './log-record.js';

/**
 * A record a {@link LocalLogSource} could not decode, with the reason. The source skips it (its
 * offset counts as consumed) and goes on.
 *
 * @example
 * ```ts
 * const onDeadLetter = (d: DeadLetter) => console.warn(`${d.topic}/${d.partition}@${d.offset}: ${d.reason}`);
 * ```
 */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The undecodable record as stored (key, value bytes, timestamp). */
  readonly record: LogRecord;
  /** Why decoding failed: the error's message. */
  readonly reason: string;
  /** The error the deserializer threw. */
  readonly error: unknown;
}

/**
 * Receives the records a source could not decode (a side channel: metrics, logs, a quarantine
 * store). Runs synchronously inside the source's poll; throwing fails the task.
 */
export type DeadLetterHandler = (deadLetter: DeadLetter) => void;

/** Where {@link LocalLogSource} writes dead letters as records of a topic. */
export interface DeadLetterTopic {
  /** A log open for writing (may be the source's log, if that is writable). */
  readonly log: LocalLog;
  /** The topic (must exist); partition = the source partition modulo its partition count. */
  readonly topic: string;
}

/**
 * The value of a dead-letter record in a {@link DeadLetterTopic}: JSON with the original bytes in
 * base64 (the record's key is kept as the dead letter's key).
 *
 * @example
 * ```ts
 * const d = jsonValue<DeadLetterEnvelope>(record);
 * Buffer.from(d.value, 'base64'); // the undecodable payload
 * ```
 */
export interface DeadLetterEnvelope {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly reason: string;
  /** The original value, base64. */
  readonly value: string;
}

/**
 * Collects the dead letters of one source reader's poll and commits them to a {@link DeadLetterTopic}
 * in one transaction at the end of the poll. At-least-once: after a restore, dead letters after the
 * checkpoint's position are written again.
 *
 * @example
 * ```ts
 * const writer = new DeadLetterTopicWriter({ log, topic: 'orders-dlq' }, 'orders-dlq-from-orders-0');
 * writer.add(deadLetter);
 * writer.commit();
 * ```
 */
export class DeadLetterTopicWriter {
  private readonly buffered: DeadLetter[] = [];
  private readonly partitions: number;

  constructor(
    private readonly target: DeadLetterTopic,
    private readonly transactionalId: string,
  ) {
    this.partitions = target.log.partitions(target.topic);
  }

  add(deadLetter: DeadLetter): void {
    this.buffered.push(deadLetter);
  }

  /** Commits the buffered dead letters (if any) in one transaction. */
  commit(): void {
    if (this.buffered.length === 0) return;
    const txn = this.target.log.beginTransaction(this.transactionalId);
    try {
      for (const d of this.buffered) {
        const envelope: DeadLetterEnvelope = {
          topic: d.topic,
          partition: d.partition,
          offset: d.offset,
          timestamp: d.record.timestamp,
          reason: d.reason,
          value: d.record.value.toString('base64'),
        };
        txn.appendJson(this.target.topic, d.partition % this.partitions, envelope, {
          key: d.record.key,
          timestamp: d.record.timestamp,
        });
      }
      this.buffered.length = 0;
      txn.commitSync();
    } catch (e) {
      if (txn.state === 'open') txn.abortSync();
      throw e;
    }
  }
}
