import type { SinkWriterContext } from '../sink.js';
import type { PrecommittingSinkWriter } from '../two-phase-commit/precommitting-sink-writer.js';
import type { KafkaCommittable, KafkaSinkMessage } from './kafka-committable.js';
import type { KafkaProducerPort } from './kafka-port.js';
import { type RetryOptions, retryWithBackoff } from './retry-with-backoff.js';

/** What a {@link KafkaSinkWriter} needs, resolved by the sink. */
export interface KafkaSinkWriterConfig<T> {
  readonly topic: string;
  readonly guarantee: 'exactly-once' | 'at-least-once';
  readonly subtask: number;
  readonly transactionalId: string;
  readonly runId: string;
  readonly serializer: (value: T) => KafkaSinkMessage;
  /** At-least-once: records sent per request while the job runs. */
  readonly batchSize: number;
  /** At-least-once: the idempotent producer (created lazily). */
  readonly producer: () => Promise<KafkaProducerPort>;
  readonly retry: RetryOptions | undefined;
}

/**
 * The writer of a {@link KafkaSink}. At-least-once: records go out in batches of `batchSize` while
 * the job runs (a full batch pauses the task until acked); the rest is pre-committed at the
 * barrier and sent when the checkpoint completes. Exactly-once: records are kept until the barrier
 * and pre-committed as one committable (the committer writes them in one transaction).
 *
 * @example
 * ```ts
 * const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
 * writer.write({ alert: 1 }, ctx);
 * writer.prepareCommit(1); // [{ guarantee: 'exactly-once', messages: [...] , ... }]
 * ```
 */
export class KafkaSinkWriter<T> implements PrecommittingSinkWriter<T, KafkaCommittable> {
  private buffer: KafkaSinkMessage[] = [];

  constructor(private readonly config: KafkaSinkWriterConfig<T>) {}

  write(value: T, _context: SinkWriterContext): void | Promise<void> {
    this.buffer.push(this.config.serializer(value));
    if (this.config.guarantee === 'at-least-once' && this.buffer.length >= this.config.batchSize) {
      return this.sendBuffered();
    }
  }

  flush(_endOfInput: boolean): void | Promise<void> {
    if (this.config.guarantee === 'at-least-once' && this.buffer.length > 0) return this.sendBuffered();
  }

  prepareCommit(checkpointId?: number): KafkaCommittable[] {
    if (this.buffer.length === 0) return [];
    const messages = this.buffer;
    this.buffer = [];
    const c = this.config;
    return [
      {
        guarantee: c.guarantee,
        topic: c.topic,
        subtask: c.subtask,
        transactionalId: c.transactionalId,
        runId: c.runId,
        checkpointId: checkpointId ?? Number.MAX_SAFE_INTEGER,
        messages,
      },
    ];
  }

  close(): void {}

  private async sendBuffered(): Promise<void> {
    const messages = this.buffer;
    this.buffer = [];
    const producer = await this.config.producer();
    await retryWithBackoff(() => producer.send(this.config.topic, messages), this.config.retry);
  }
}
