import {
  type Admin,
  type Consumer,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Message,
  type Producer,
  type Transaction,
} from 'kafkajs';
import { isFencedError, KafkaProducerFencedError } from './kafka-errors.js';
import type {
  KafkaAdminPort,
  KafkaConsumerOptions,
  KafkaConsumerPort,
  KafkaFetchedBatch,
  KafkaOutgoingMessage,
  KafkaPartitionOffset,
  KafkaPort,
  KafkaProducerOptions,
  KafkaProducerPort,
  KafkaRecord,
  KafkaTopicPartitions,
  KafkaTopicSpec,
  KafkaTransactionPort,
} from './kafka-port.js';
import { installKafkajsAbortedTransactionFilter } from './kafkajs-aborted-filter.js';

// kafkajs 2 otherwise warns about its partitioner change on every producer.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

/** Options of {@link KafkajsPort}: the kafkajs client config (`brokers` at least). */
export type KafkajsPortOptions = KafkaConfig;

/**
 * The {@link KafkaPort} over kafkajs 2.2. Producers are idempotent with one request in flight
 * (required for transactions); consumers have auto-commit off. Fenced transactional producers
 * (`INVALID_PRODUCER_EPOCH`, `PRODUCER_FENCED`) surface as {@link KafkaProducerFencedError}.
 *
 * Read_committed consumers filter aborted transactions with this project's filter, not kafkajs'
 * (see `installKafkajsAbortedTransactionFilter`).
 *
 * Limits of kafkajs: no rebalance listener (#1088; assignments come from `GROUP_JOIN` events and
 * nothing is called before partitions are revoked), no manual partition assignment, no
 * `TxnOffsetCommit` v3 (KIP-447), and no way to resume a transaction by id after a restart.
 *
 * @example
 * ```ts
 * const port = new KafkajsPort({ brokers: ['127.0.0.1:9092'], clientId: 'cep' });
 * new KafkaSource({ port, topics: ['orders'], groupId: 'cep' });
 * ```
 */
export class KafkajsPort implements KafkaPort {
  readonly kafka: Kafka;

  constructor(options: KafkajsPortOptions | Kafka) {
    // kafkajs hands read_committed consumers records of overlapping aborted transactions.
    installKafkajsAbortedTransactionFilter();
    this.kafka = options instanceof Kafka ? options : new Kafka({ logLevel: logLevel.NOTHING, ...options });
  }

  admin(): KafkaAdminPort {
    return new KafkajsAdmin(this.kafka.admin());
  }

  producer(options: KafkaProducerOptions = {}): KafkaProducerPort {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      ...(options.transactionalId !== undefined ? { transactionalId: options.transactionalId } : {}),
      ...(options.transactionTimeoutMs !== undefined
        ? { transactionTimeout: options.transactionTimeoutMs }
        : {}),
    });
    return new KafkajsProducer(producer, options.transactionalId ?? '');
  }

  consumer(options: KafkaConsumerOptions): KafkaConsumerPort {
    return new KafkajsConsumer(
      this.kafka.consumer({
        groupId: options.groupId,
        readUncommitted: options.readUncommitted ?? false,
        ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
      }),
    );
  }
}

const toNumber = (offset: string): number => Number(offset);

class KafkajsAdmin implements KafkaAdminPort {
  constructor(private readonly admin: Admin) {}

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(topics: readonly KafkaTopicSpec[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (error) {
      // Created concurrently by another process: fine.
      if (!JSON.stringify((error as { errors?: unknown }).errors ?? '').includes('TOPIC_ALREADY_EXISTS')) {
        const now = new Set(await this.admin.listTopics());
        if (!missing.every((t) => now.has(t.name))) throw error;
      }
    }
  }

  async describeTopics(topics: readonly string[]): Promise<Map<string, number>> {
    const existing = new Set(await this.admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const result = new Map<string, number>();
    if (present.length === 0) return result;
    const metadata = await this.admin.fetchTopicMetadata({ topics: present });
    for (const t of metadata.topics) result.set(t.name, t.partitions.length);
    return result;
  }

  async fetchEndOffsets(topic: string): Promise<KafkaPartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, offset: toNumber(o.high) }));
  }

  async fetchEarliestOffsets(topic: string): Promise<KafkaPartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, offset: toNumber(o.low) }));
  }

  async fetchOffsetsForTimestamp(topic: string, timestamp: number): Promise<KafkaPartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return offsets.map((o) => ({ partition: o.partition, offset: toNumber(o.offset) }));
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]> {
    const result = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
    return partitions.map((p) => ({
      partition: p.partition,
      offset: toNumber(p.offset),
      metadata: p.metadata ?? null,
    }));
  }

  async deleteRecords(topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.admin.deleteTopicRecords({
      topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })),
    });
  }
}

function toKafkajsMessages(messages: readonly KafkaOutgoingMessage[]): Message[] {
  return messages.map((m) => ({
    key: m.key ?? null,
    value: m.value,
    ...(m.partition !== undefined ? { partition: m.partition } : {}),
    ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
    ...(m.headers !== undefined ? { headers: { ...m.headers } } : {}),
  }));
}

/** Runs a producer step, turning fencing into {@link KafkaProducerFencedError}. */
async function guarded<T>(transactionalId: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (transactionalId !== '' && isFencedError(error)) {
      throw new KafkaProducerFencedError(transactionalId, { cause: error });
    }
    throw error;
  }
}

class KafkajsProducer implements KafkaProducerPort {
  constructor(
    private readonly producer: Producer,
    private readonly transactionalId: string,
  ) {}

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await guarded(this.transactionalId, () =>
      this.producer.send({ topic, acks: -1, messages: toKafkajsMessages(messages) }),
    );
  }

  async beginTransaction(): Promise<KafkaTransactionPort> {
    const id = this.transactionalId;
    if (id === '') throw new Error('beginTransaction needs a producer with a transactionalId');
    const txn = await guarded(id, () => this.producer.transaction());
    return new KafkajsTransaction(txn, id);
  }
}

class KafkajsTransaction implements KafkaTransactionPort {
  constructor(
    private readonly txn: Transaction,
    private readonly transactionalId: string,
  ) {}

  async send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await guarded(this.transactionalId, () =>
      this.txn.send({ topic, acks: -1, messages: toKafkajsMessages(messages) }),
    );
  }

  async sendOffsets(groupId: string, topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    await guarded(this.transactionalId, () =>
      this.txn.sendOffsets({
        consumerGroupId: groupId,
        topics: [
          {
            topic,
            partitions: offsets.map((o) => ({
              partition: o.partition,
              offset: String(o.offset),
              ...(o.metadata != null ? { metadata: o.metadata } : {}),
            })),
          },
        ],
      }),
    );
  }

  commit(): Promise<void> {
    return guarded(this.transactionalId, () => this.txn.commit());
  }

  async abort(): Promise<void> {
    if (!this.txn.isActive()) return;
    await guarded(this.transactionalId, () => this.txn.abort());
  }
}

class KafkajsConsumer implements KafkaConsumerPort {
  private readonly assignmentListeners: Array<(a: readonly KafkaTopicPartitions[]) => void> = [];
  private readonly crashListeners: Array<(e: Error) => void> = [];

  constructor(private readonly consumer: Consumer) {
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assignment = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({
        topic,
        partitions: [...partitions],
      }));
      for (const listener of this.assignmentListeners) listener(assignment);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return; // kafkajs restarts the consumer by itself
      for (const listener of this.crashListeners) listener(event.payload.error);
    });
  }

  connect(): Promise<void> {
    return this.consumer.connect();
  }

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
  }

  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void> {
    return this.consumer.subscribe({ topics: [...topics], fromBeginning });
  }

  run(eachBatch: (batch: KafkaFetchedBatch) => Promise<void>): Promise<void> {
    return this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const records: KafkaRecord[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: toNumber(m.offset),
          timestamp: Number(m.timestamp),
          key: m.key,
          value: m.value,
          headers: (m.headers ?? {}) as Record<string, Buffer | string | undefined>,
        }));
        // Not in kafkajs' typings: whether the fetch covered records that were all filtered
        // (control records, aborted transactions), so that lastOffset() is a real offset.
        const raw = batch as unknown as { isEmptyIncludingFiltered(): boolean };
        await eachBatch({
          topic: batch.topic,
          partition: batch.partition,
          records,
          nextOffset: raw.isEmptyIncludingFiltered() ? null : toNumber(batch.lastOffset()) + 1,
        });
      },
    });
  }

  onAssignment(listener: (assignment: readonly KafkaTopicPartitions[]) => void): void {
    this.assignmentListeners.push(listener);
  }

  onCrash(listener: (error: Error) => void): void {
    this.crashListeners.push(listener);
  }

  pause(partitions: readonly KafkaTopicPartitions[]): void {
    this.consumer.pause(partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })));
  }

  resume(partitions: readonly KafkaTopicPartitions[]): void {
    this.consumer.resume(partitions.map((p) => ({ topic: p.topic, partitions: [...p.partitions] })));
  }

  seek(topic: string, partition: number, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  async commitOffsets(topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(
      offsets.map((o) => ({ topic, partition: o.partition, offset: String(o.offset) })),
    );
  }
}
