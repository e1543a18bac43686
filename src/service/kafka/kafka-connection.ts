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
import { type BootClock, bootRetry } from './boot-retry.js';

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
 * Configs of the topics whose records carry event times as their timestamps (alerts, dead
 * letters of the router): time-based retention counts from when the broker appended a record,
 * not from its event time, or the broker deletes records with event times older than
 * `retention.ms` (a backfill, a replay) within one retention check, before they are read.
 */
const APPEND_TIME = { 'message.timestamp.type': 'LogAppendTime' } as const;

/**
 * Configs of the repartition topic: its record timestamps are the event times the evaluator
 * tasks read, so they must stay, and time-based retention must not delete records that were not
 * read yet (Kafka Streams gives its repartition topics `retention.ms=-1` as well).
 */
const NO_TIME_RETENTION = { 'retention.ms': '-1' } as const;

/**
 * Kafka mode's shared clients: the {@link KafkaPort} (kafkajs), one admin and one idempotent
 * producer for the HTTP side (event ingest, rule changes, refused events). Opening it checks
 * the user topics, creating them first when `KAFKA_CREATE_TOPICS` allows (events and alerts with
 * `KAFKA_TOPIC_PARTITIONS` partitions and log-append timestamps, the rules topic compacted with
 * one partition, so every reader sees rule changes in one order), and creates the internal
 * dead-letter topic and the repartition topic (without time-based retention).
 *
 * A patient boot: every step is retried with exponential backoff while it fails with an error a
 * starting cluster gives (connection refused, `UNKNOWN_TOPIC_OR_PARTITION`, leader or coordinator
 * not available or loading), each retry logged, until `KAFKA_BOOT_TIMEOUT_MS` after the start of
 * the boot; then the boot fails naming the step and the last error (and `npm start` exits 1). The
 * later boot steps of Kafka mode (rule store, pipeline) use the same {@link KafkaConnection.boot}
 * deadline. The HTTP server listens only once the boot is done.
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
    /** Deadline and log of this boot, for the later steps that must wait for the cluster too. */
    readonly boot: BootClock,
  ) {}

  /** Connects and sets up the topics. @example `await KafkaConnection.open(config)` */
  static async open(config: ServiceConfig): Promise<KafkaConnection> {
    const k = config.kafka;
    const logger = new Logger('Kafka');
    const startedAt = Date.now();
    const boot: BootClock = {
      startedAt,
      deadline: startedAt + k.bootTimeoutMs,
      warn: (m) => logger.warn(`boot: ${m}`),
    };
    const brokers = [...(config.kafkaBrokers ?? [])];
    const port = new KafkajsPort({
      brokers,
      clientId: `${k.appId}-${hostname()}-${process.pid}`,
    });
    const admin = port.admin();
    await bootRetry(`connecting to ${brokers.join(',')}`, boot, async () => {
      try {
        await admin.connect();
        await admin.listTopics();
      } catch (e) {
        await admin.disconnect().catch(() => {});
        throw e;
      }
    });
    const topics = kafkaTopics(k);
    if (k.createTopics) {
      await bootRetry('creating the topics', boot, () =>
        ensureTopics(admin, {
          internal: [
            { name: topics.events, partitions: k.topicPartitions, configs: APPEND_TIME },
            { name: topics.alerts, partitions: k.topicPartitions, configs: APPEND_TIME },
            { name: topics.rules, partitions: 1, compacted: true },
          ],
        }),
      );
    }
    const counts = await bootRetry('checking the topics', boot, () =>
      ensureTopics(admin, { required: [topics.events, topics.alerts, topics.rules] }),
    );
    await bootRetry('creating the internal topics', boot, () =>
      ensureTopics(admin, {
        internal: [
          { name: topics.deadLetters, partitions: 1, configs: APPEND_TIME },
          // Created here, before the router's runner would create it with the default retention;
          // one partition per events partition (a router task each), as Kafka Streams sizes them.
          {
            name: topics.routed,
            partitions: counts.get(topics.events) ?? k.topicPartitions,
            configs: NO_TIME_RETENTION,
          },
        ],
      }),
    );
    if (counts.get(topics.rules) !== 1) {
      throw new Error(
        `the rules topic ${topics.rules} must have exactly one partition (it has ${counts.get(topics.rules)})`,
      );
    }
    // A topic that was just created (by this replica or another one booting with it) exists
    // before its partitions have a leader: offsets requests fail until then, and the rule store
    // and the alert feed begin with one.
    for (const topic of [topics.rules, topics.alerts, topics.events]) {
      await bootRetry(`waiting for the leaders of ${topic}`, boot, () => admin.fetchEndOffsets(topic));
    }
    // The group coordinator (on a new cluster, the offsets topic is created by the first request
    // for a coordinator and loads for a moment): the stages' consumer groups need it.
    await bootRetry('waiting for the group coordinator', boot, () =>
      admin.fetchCommittedOffsets(`${k.appId}-router`, topics.events),
    );
    const producer = port.producer();
    await bootRetry('connecting the producer', boot, async () => {
      try {
        await producer.connect();
      } catch (e) {
        await producer.disconnect().catch(() => {});
        throw e;
      }
    });
    logger.log(
      `connected to ${brokers.join(',')} in ${Date.now() - startedAt} ms: events ${topics.events} (${counts.get(topics.events)} partitions), alerts ${topics.alerts}, rules ${topics.rules}`,
    );
    return new KafkaConnection(port, admin, producer, topics, k, counts.get(topics.events) ?? 1, boot);
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
