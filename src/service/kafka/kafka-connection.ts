import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  ensureTopics,
  type KafkaAdminPort,
  KafkajsPort,
  type KafkaPort,
  type KafkaProducerPort,
} from '../../core/connectors/kafka/index.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { KafkaSettings, ServiceConfig } from '../config/service-config.js';

/**
 * The topic names of Kafka mode. User topics (events, alerts, rules) come from the configuration;
 * internal ones are named after the application id, as Kafka Streams does.
 *
 * @example
 * ```ts
 * kafkaTopics(config.kafka).routed; // 'cep-rules-routed'
 * ```
 */
export interface KafkaTopics {
  readonly events: string;
  readonly alerts: string;
  readonly rules: string;
  /** Repartition topic between the router and the rule evaluation (key: rule id + grouping key). */
  readonly routed: string;
  /** Dead letters: refused HTTP events (JSON) and undecodable input records (raw, `dlq.*` headers). */
  readonly deadLetters: string;
}

/** @example `kafkaTopics(config.kafka)` */
export function kafkaTopics(k: KafkaSettings): KafkaTopics {
  return {
    events: k.eventsTopic,
    alerts: k.alertsTopic,
    rules: k.rulesTopic,
    routed: `${k.appId}-routed`,
    deadLetters: `${k.appId}-dead-letters`,
  };
}

/**
 * Kafka mode's shared clients: the {@link KafkaPort} (kafkajs), one admin and one idempotent
 * producer for the HTTP side (event ingest, rule changes, refused events). Opening it checks
 * the user topics, creating them first when `KAFKA_CREATE_TOPICS` allows (events and alerts with
 * `KAFKA_TOPIC_PARTITIONS` partitions, the rules topic compacted with one partition, so every
 * reader sees rule changes in one order).
 *
 * @example
 * ```ts
 * const kafka = await KafkaConnection.open(config);
 * await kafka.producer.send(kafka.topics.events, [{ value: '{"type":"login","ts":1}' }]);
 * ```
 */
@Injectable()
export class KafkaConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Kafka');
  private closed = false;

  constructor(
    readonly port: KafkaPort,
    readonly admin: KafkaAdminPort,
    readonly producer: KafkaProducerPort,
    readonly topics: KafkaTopics,
    readonly settings: KafkaSettings,
    /** Partitions of the events topic. */
    readonly eventPartitions: number,
  ) {}

  /** Connects and sets up the topics. @example `await KafkaConnection.open(config)` */
  static async open(config: ServiceConfig): Promise<KafkaConnection> {
    const k = config.kafka;
    const port = new KafkajsPort({
      brokers: [...(config.kafkaBrokers ?? [])],
      clientId: `${k.appId}-${hostname()}-${process.pid}`,
    });
    const admin = port.admin();
    await admin.connect();
    const topics = kafkaTopics(k);
    if (k.createTopics) {
      await ensureTopics(admin, {
        internal: [
          { name: topics.events, partitions: k.topicPartitions },
          { name: topics.alerts, partitions: k.topicPartitions },
          { name: topics.rules, partitions: 1, compacted: true },
        ],
      });
    }
    const counts = await ensureTopics(admin, {
      required: [topics.events, topics.alerts, topics.rules],
      internal: [{ name: topics.deadLetters, partitions: 1 }],
    });
    if (counts.get(topics.rules) !== 1) {
      throw new Error(
        `the rules topic ${topics.rules} must have exactly one partition (it has ${counts.get(topics.rules)})`,
      );
    }
    const producer = port.producer();
    await producer.connect();
    new Logger('Kafka').log(
      `connected to ${config.kafkaBrokers?.join(',')}: events ${topics.events} (${counts.get(topics.events)} partitions), alerts ${topics.alerts}, rules ${topics.rules}`,
    );
    return new KafkaConnection(port, admin, producer, topics, k, counts.get(topics.events) ?? 1);
  }

  /** Whether the cluster answers (a metadata request), within `timeoutMs`. @example `await kafka.ping()` */
  async ping(timeoutMs = 3000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([
        this.admin.describeTopics([this.topics.events]).then((m) => m.has(this.topics.events)),
        timeout,
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
    this.logger.log('disconnected');
  }
}

/**
 * Nest provider of {@link KafkaConnection}.
 *
 * @example
 * ```ts
 * providers: [kafkaConnectionProvider]
 * ```
 */
export const kafkaConnectionProvider = {
  provide: KafkaConnection,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ServiceConfig): Promise<KafkaConnection> => KafkaConnection.open(config),
};
