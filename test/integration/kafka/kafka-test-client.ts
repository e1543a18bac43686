/**
 * kafkajs clients for the integration tests, pointed at the broker under test.
 */
import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { installKafkajsAbortedTransactionFilter } from '../../../src/core/connectors/kafka/kafkajs-aborted-filter.js';
import { kafkaBrokers } from './broker-control.js';

// kafkajs 2 warns about its partitioner change on every producer otherwise.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const LEVELS: Record<string, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/**
 * A kafkajs client for the broker under test, with the port's read_committed fix installed. Its log is silent unless `KAFKAJS_LOG_LEVEL` says otherwise
 * (`error`, `warn`, `info`, `debug`): the fencing tests provoke errors on purpose.
 */
export function testKafka(clientId = 'cep-it', config: Partial<KafkaConfig> = {}): Kafka {
  // Test readers verify exactly-once output: they need the same read_committed filter as the
  // connectors (kafkajs 2.2.4 leaks records of overlapping aborted transactions).
  installKafkajsAbortedTransactionFilter();
  return new Kafka({
    clientId,
    brokers: kafkaBrokers().split(','),
    logLevel: LEVELS[process.env.KAFKAJS_LOG_LEVEL?.toLowerCase() ?? 'nothing'] ?? logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 100, retries: 8 },
    ...config,
  });
}

/** A name unique to this run, so tests never share topics, groups or transactional ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Creates `topic` with `partitions` partitions (replication factor 1) and waits for its leaders. */
export async function createTopic(admin: Admin, topic: string, partitions = 1): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`topic ${topic} already exists`);
}
