import { randomUUID } from 'node:crypto';
import { kafkaBrokers } from '../integration/kafka/broker-control.js';
import { type RunningService, startService } from '../service/service-harness.js';

/**
 * The environment of a Kafka-mode service with its own topics and groups (`app`): the vitest
 * run's broker, `partitions` per created topic, a short session timeout and fast commits.
 */
export function kafkaServiceEnv(app: string, partitions = 1): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaBrokers(),
    KAFKA_APP_ID: app,
    KAFKA_EVENTS_TOPIC: `${app}-events`,
    KAFKA_ALERTS_TOPIC: `${app}-alerts`,
    KAFKA_TOPIC_PARTITIONS: String(partitions),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    CHECKPOINT_INTERVAL_MS: '100',
    IDLE_FLUSH_MS: '200',
  };
}

/** A new application id (topic and group prefix) no other test uses. */
export function uniqueApp(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Boots the real Nest app in Kafka mode (in this process) over `kafkaServiceEnv(app)` + `env`. */
export function startKafkaService(
  app: string,
  env: Record<string, string> = {},
  partitions = 1,
): Promise<RunningService> {
  return startService({ ...kafkaServiceEnv(app, partitions), ...env });
}
