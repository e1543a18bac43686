import { randomUUID } from 'node:crypto';
import type { SinkInitContext } from '../sink.js';
import type { TwoPhaseCommittingSink } from '../two-phase-commit/two-phase-committing-sink.js';
import type { KafkaCommittable, KafkaSinkMessage } from './kafka-committable.js';
import { KafkaCommitter } from './kafka-committer.js';
import type { KafkaPort, KafkaProducerPort } from './kafka-port.js';
import { KafkaSinkWriter } from './kafka-sink-writer.js';
import type { RetryOptions } from './retry-with-backoff.js';

/** Options of {@link KafkaSink}. */
export interface KafkaSinkOptions<T> {
  readonly port: KafkaPort;
  readonly topic: string;
  /** Default `'at-least-once'`. */
  readonly deliveryGuarantee?: 'exactly-once' | 'at-least-once';
  /** Exactly-once: transactional ids are `<prefix>-<subtask>`; unique per job, stable across restarts. */
  readonly transactionalIdPrefix?: string;
  /** Value -> message (default: no key, the value as JSON). */
  readonly serializer?: (value: T) => KafkaSinkMessage;
  /** At-least-once: records per request while running (default 500). */
  readonly batchSize?: number;
  /** Broker-side transaction timeout (ms). */
  readonly transactionTimeoutMs?: number;
  readonly retry?: RetryOptions;
}

/**
 * A Kafka sink (Flink's `KafkaSink`) on the two-phase-commit framework.
 *
 * - `at-least-once`: batches are sent while the job runs and the rest when the checkpoint
 *   completes; after a failure the records since the last completed checkpoint are written again.
 * - `exactly-once`: the records of a checkpoint interval are pre-committed into the checkpoint at
 *   the barrier and written in one Kafka transaction when the checkpoint completes, together with a
 *   commit marker; after a restore the marker says whether that transaction committed, and if not
 *   it is written again (see {@link KafkaCommitter}). Read the output with read_committed.
 *   Output becomes visible one checkpoint interval late (or at the end of a bounded input).
 *
 * Why not Flink's open transaction at the barrier: `prepareCommit` is synchronous here, and kafkajs
 * cannot resume a transaction by id after a restart, so the checkpoint itself must hold the records
 * until commit. The checkpoint grows with the output of one interval.
 *
 * @example
 * ```ts
 * stream.sinkTo(new KafkaSink<Alert>({ port, topic: 'alerts', deliveryGuarantee: 'exactly-once',
 *   transactionalIdPrefix: 'cep-alerts', serializer: (a) => ({ key: a.account, value: JSON.stringify(a) }) }));
 * ```
 */
export class KafkaSink<T> implements TwoPhaseCommittingSink<T, KafkaCommittable> {
  readonly twoPhaseCommit = true as const;
  private readonly runIds = new Map<number, string>();
  private readonly committers = new Map<number, KafkaCommitter>();

  constructor(private readonly options: KafkaSinkOptions<T>) {
    if (options.deliveryGuarantee === 'exactly-once' && !options.transactionalIdPrefix) {
      throw new RangeError('an exactly-once KafkaSink needs a transactionalIdPrefix');
    }
  }

  /** The transactional id of a sink subtask. */
  transactionalId(subtask: number): string {
    return `${this.options.transactionalIdPrefix ?? 'kafka-sink'}-${subtask}`;
  }

  createWriter(context: SinkInitContext): KafkaSinkWriter<T> {
    const runId = randomUUID();
    this.runIds.set(context.subtaskIndex, runId);
    const o = this.options;
    let producer: Promise<KafkaProducerPort> | undefined;
    return new KafkaSinkWriter<T>({
      topic: o.topic,
      guarantee: o.deliveryGuarantee ?? 'at-least-once',
      subtask: context.subtaskIndex,
      transactionalId: this.transactionalId(context.subtaskIndex),
      runId,
      serializer: o.serializer ?? ((value: T) => ({ key: null, value: JSON.stringify(value) })),
      batchSize: o.batchSize ?? 500,
      producer: () => {
        producer ??= (async () => {
          const p = o.port.producer();
          await p.connect();
          return p;
        })();
        return producer;
      },
      retry: o.retry,
    });
  }

  createCommitter(context: SinkInitContext): KafkaCommitter {
    const committer = new KafkaCommitter({
      port: this.options.port,
      subtask: context.subtaskIndex,
      parallelism: context.parallelism,
      currentRunId: () => this.runIds.get(context.subtaskIndex),
      transactionTimeoutMs: this.options.transactionTimeoutMs,
      chunkSize: this.options.batchSize ?? 500,
      retry: this.options.retry,
    });
    this.committers.set(context.subtaskIndex, committer);
    // A restart creates a new writer: forget the old run id so its committables count as restored.
    this.runIds.delete(context.subtaskIndex);
    return committer;
  }

  /** Exactly-once: aborts the transaction a crashed run of this subtask may have left open. */
  async recoverLingering(context: SinkInitContext): Promise<void> {
    if (this.options.deliveryGuarantee !== 'exactly-once') return;
    await this.committers
      .get(context.subtaskIndex)
      ?.abortLingering(this.transactionalId(context.subtaskIndex));
  }
}
