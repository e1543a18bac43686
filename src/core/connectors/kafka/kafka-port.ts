/**
 * The small port the Kafka connectors use, so that the Kafka client (kafkajs today, see
 * `KafkajsPort`) can be replaced. Offsets are plain numbers (safe up to 2^53), payloads `Buffer`s.
 *
 * Errors: an implementation throws {@link KafkaProducerFencedError} when a transactional producer
 * is fenced, and errors carrying the Kafka protocol error name in `type` (and `retriable` when the
 * client says so) for the rest; see `kafka-errors.ts`.
 */

/** A record as read from Kafka. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record timestamp (ms since the epoch). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | undefined>>;
}

/** A record to write. */
export interface KafkaOutgoingMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
}

/** A topic to create (replication factor defaults to 1). */
export interface KafkaTopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** One partition with an offset (and optional commit metadata). */
export interface KafkaPartitionOffset {
  readonly partition: number;
  readonly offset: number;
  readonly metadata?: string | null;
}

/** Cluster administration. */
export interface KafkaAdminPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics that do not exist yet (existing ones are left alone). */
  createTopics(topics: readonly KafkaTopicSpec[]): Promise<void>;
  /** Partition count per existing topic (topics that do not exist are absent). */
  describeTopics(topics: readonly string[]): Promise<Map<string, number>>;
  /** Next offset after the last stable (committed) record, per partition. */
  fetchEndOffsets(topic: string): Promise<KafkaPartitionOffset[]>;
  /** First offset still in the log, per partition. */
  fetchEarliestOffsets(topic: string): Promise<KafkaPartitionOffset[]>;
  /** Earliest offset whose timestamp is `>= timestamp`, per partition (the end when none is). */
  fetchOffsetsForTimestamp(topic: string, timestamp: number): Promise<KafkaPartitionOffset[]>;
  /** The group's committed offsets for `topic` (`offset` -1 where nothing is committed). */
  fetchCommittedOffsets(groupId: string, topic: string): Promise<KafkaPartitionOffset[]>;
  /**
   * Deletes the records before `offset` in each given partition (`DeleteRecords`, as Kafka
   * Streams purges repartition topics once they are consumed).
   */
  deleteRecords(topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void>;
}

/** Producer settings the connectors ask for. */
export interface KafkaProducerOptions {
  /** Set: a transactional producer (idempotent, one request in flight). */
  readonly transactionalId?: string;
  /** Transaction timeout on the broker (ms). */
  readonly transactionTimeoutMs?: number;
}

/** An open transaction of a transactional producer. */
export interface KafkaTransactionPort {
  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void>;
  /** Adds consumer-group offsets to the transaction (`TxnOffsetCommit`). */
  sendOffsets(groupId: string, topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** An idempotent (and, with a `transactionalId`, transactional) producer. */
export interface KafkaProducerPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Sends outside any transaction (idempotent producer) and waits for the acks. */
  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<void>;
  /**
   * Begins a transaction. The first call of a producer initialises it (`InitProducerId`), which
   * fences older producers with the same transactional id and aborts their pending transaction.
   */
  beginTransaction(): Promise<KafkaTransactionPort>;
}

/** Consumer settings the source asks for. */
export interface KafkaConsumerOptions {
  readonly groupId: string;
  /** Default false: read_committed. */
  readonly readUncommitted?: boolean;
  readonly sessionTimeoutMs?: number;
  /** How long a fetch waits for data (ms). */
  readonly maxWaitTimeMs?: number;
}

/** What one fetch returned for one partition. */
export interface KafkaFetchedBatch {
  readonly topic: string;
  readonly partition: number;
  /** The data records (aborted records and control records already removed). */
  readonly records: readonly KafkaRecord[];
  /**
   * The offset after everything this fetch covered, control records and aborted records
   * included, or `null` when it covered nothing. Lets a reader step over transaction markers.
   */
  readonly nextOffset: number | null;
}

/** A topic with partitions (assignments, pause/resume). */
export interface KafkaTopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/**
 * A consumer-group member with manual offset control: auto-commit off, offsets committed by the
 * caller. kafkajs has no rebalance listener (#1088): {@link onAssignment} reports the assignment
 * after each group join, there is no "partitions revoked before the rebalance" callback.
 */
export interface KafkaConsumerPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(topics: readonly string[], fromBeginning: boolean): Promise<void>;
  /** Starts fetching; `eachBatch` is awaited before the next fetch of that partition. */
  run(eachBatch: (batch: KafkaFetchedBatch) => Promise<void>): Promise<void>;
  /** Called with this member's whole assignment after every group join (rebalance). */
  onAssignment(listener: (assignment: readonly KafkaTopicPartitions[]) => void): void;
  /** Called when the client gave up (it will not fetch again). */
  onCrash(listener: (error: Error) => void): void;
  pause(partitions: readonly KafkaTopicPartitions[]): void;
  resume(partitions: readonly KafkaTopicPartitions[]): void;
  /** Moves the fetch position of an assigned partition. */
  seek(topic: string, partition: number, offset: number): void;
  commitOffsets(topic: string, offsets: readonly KafkaPartitionOffset[]): Promise<void>;
}

/**
 * Creates Kafka clients for the connectors.
 *
 * @example
 * ```ts
 * const port: KafkaPort = new KafkajsPort({ brokers: ['localhost:9092'], clientId: 'cep' });
 * const admin = port.admin();
 * await admin.connect();
 * ```
 */
export interface KafkaPort {
  admin(): KafkaAdminPort;
  producer(options?: KafkaProducerOptions): KafkaProducerPort;
  consumer(options: KafkaConsumerOptions): KafkaConsumerPort;
}
