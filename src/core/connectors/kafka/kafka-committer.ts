import type { Committer } from '../two-phase-commit/committer.js';
import type { KafkaCommittable } from './kafka-committable.js';
import type { KafkaAdminPort, KafkaPort, KafkaProducerPort, KafkaTransactionPort } from './kafka-port.js';
import { type RetryOptions, retryWithBackoff } from './retry-with-backoff.js';

/** What a {@link KafkaCommitter} needs, resolved by the sink. */
export interface KafkaCommitterConfig {
  readonly port: KafkaPort;
  readonly subtask: number;
  readonly parallelism: number;
  /** The run id of this subtask's current writer (`undefined` before it exists): others are recovered. */
  readonly currentRunId: () => string | undefined;
  readonly transactionTimeoutMs: number | undefined;
  /** Records per `send` inside a transaction. */
  readonly chunkSize: number;
  readonly retry: RetryOptions | undefined;
}

/**
 * The consumer group whose committed offset marks the last committed transaction of a sink
 * subtask (offset = checkpoint id, metadata = writer run id), written in the same transaction.
 *
 * @example
 * ```ts
 * commitMarkerGroup('cep-alerts-0'); // 'cep-alerts-0.commits'
 * ```
 */
export function commitMarkerGroup(transactionalId: string): string {
  return `${transactionalId}.commits`;
}

/**
 * The committer of a {@link KafkaSink}.
 *
 * Exactly-once: one transaction per committable with the transactional producer
 * `<prefix>-<subtask>` (idempotent, one request in flight): send the records, add the commit
 * marker (`sendOffsets` to {@link commitMarkerGroup}), commit. A retriable failure
 * (CONCURRENT_TRANSACTIONS right after the previous commit, coordinator moves: kafkajs #1068,
 * #430) aborts, drops the producer and retries the whole transaction with backoff; a retry, and
 * every committable restored from a checkpoint, first begins the transaction (which fences older
 * producers with that id and aborts their pending transaction) and then reads the marker, so a
 * transaction that did commit is not written twice. Fencing surfaces as `KafkaProducerFencedError`.
 *
 * At-least-once: the records are sent with the idempotent producer.
 *
 * @example
 * ```ts
 * const committer = sink.createCommitter({ subtaskIndex: 0, parallelism: 1 });
 * await committer.commit(pending);
 * ```
 */
export class KafkaCommitter implements Committer<KafkaCommittable> {
  private readonly producers = new Map<string, KafkaProducerPort>();
  private plainProducer: KafkaProducerPort | undefined;
  private admin: KafkaAdminPort | undefined;

  constructor(private readonly config: KafkaCommitterConfig) {}

  async commit(committables: readonly KafkaCommittable[]): Promise<void> {
    for (const c of committables) {
      const recovering = c.runId !== this.config.currentRunId();
      // Restored committables are seen by every subtask: each recovers those of one former subtask.
      if (recovering && c.subtask % this.config.parallelism !== this.config.subtask) continue;
      if (c.guarantee === 'at-least-once') await this.sendPlain(c);
      else await this.commitTransactional(c, recovering);
    }
  }

  /** Aborts what an earlier run of this subtask left open (initialising the producer does it). */
  async abortLingering(transactionalId: string): Promise<void> {
    await retryWithBackoff(async () => {
      const txn = await this.begin(transactionalId);
      await txn.abort();
    }, this.config.retry);
  }

  async close(): Promise<void> {
    const all = [...this.producers.values()].map((p) => p.disconnect());
    if (this.plainProducer !== undefined) all.push(this.plainProducer.disconnect());
    if (this.admin !== undefined) all.push(this.admin.disconnect());
    this.producers.clear();
    await Promise.allSettled(all);
  }

  private async sendPlain(c: KafkaCommittable): Promise<void> {
    if (this.plainProducer === undefined) {
      const producer = this.config.port.producer();
      await producer.connect();
      this.plainProducer = producer;
    }
    const producer = this.plainProducer;
    await retryWithBackoff(() => producer.send(c.topic, c.messages), this.config.retry);
  }

  private async commitTransactional(c: KafkaCommittable, recovering: boolean): Promise<void> {
    await retryWithBackoff(async (attempt) => {
      const txn = await this.begin(c.transactionalId);
      try {
        if ((recovering || attempt > 0) && (await this.isCommitted(c))) {
          await txn.abort();
          return;
        }
        for (let i = 0; i < c.messages.length; i += this.config.chunkSize) {
          await txn.send(c.topic, c.messages.slice(i, i + this.config.chunkSize));
        }
        await txn.sendOffsets(commitMarkerGroup(c.transactionalId), c.topic, [
          { partition: 0, offset: c.checkpointId, metadata: c.runId },
        ]);
        await txn.commit();
      } catch (error) {
        await this.dropProducer(c.transactionalId, txn);
        throw error;
      }
    }, this.config.retry);
  }

  private async begin(transactionalId: string): Promise<KafkaTransactionPort> {
    let producer = this.producers.get(transactionalId);
    if (producer === undefined) {
      producer = this.config.port.producer({
        transactionalId,
        ...(this.config.transactionTimeoutMs !== undefined
          ? { transactionTimeoutMs: this.config.transactionTimeoutMs }
          : {}),
      });
      await producer.connect();
      this.producers.set(transactionalId, producer);
    }
    try {
      return await producer.beginTransaction();
    } catch (error) {
      await this.dropProducer(transactionalId, undefined);
      throw error;
    }
  }

  /** After a failed step the client's transaction state is unknown: start over with a new producer. */
  private async dropProducer(transactionalId: string, txn: KafkaTransactionPort | undefined): Promise<void> {
    const producer = this.producers.get(transactionalId);
    this.producers.delete(transactionalId);
    await txn?.abort().catch(() => {});
    await producer?.disconnect().catch(() => {});
  }

  private async isCommitted(c: KafkaCommittable): Promise<boolean> {
    if (this.admin === undefined) {
      const admin = this.config.port.admin();
      await admin.connect();
      this.admin = admin;
    }
    const offsets = await this.admin.fetchCommittedOffsets(commitMarkerGroup(c.transactionalId), c.topic);
    const marker = offsets.find((o) => o.partition === 0);
    return marker !== undefined && marker.metadata === c.runId && marker.offset >= c.checkpointId;
  }
}
