import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { ALERT_FEED, type AlertFeed } from '../alerts/alert-feed.js';
import { KafkaAlertFeed } from '../alerts/kafka-alert-feed.js';
import { LocalLogAlertFeed } from '../alerts/local-log-alert-feed.js';
import type { ServiceConfig } from '../config/service-config.js';
import { KafkaConnection, kafkaConnectionProvider } from '../kafka/kafka-connection.js';
import { KafkaIngestLog } from '../kafka/kafka-ingest-log.js';
import { KafkaRuleStore } from '../rules/kafka-rule-store.js';
import { LocalLogRuleStore } from '../rules/local-log-rule-store.js';
import { RULE_STORE, type RuleStore } from '../rules/rule-store.js';
import { EmbeddedStorage, embeddedStorageProvider } from './embedded-storage.js';
import { INGEST_LOG, type IngestLog } from './ingest-log.js';

/**
 * The storage ports for every module (global), from the mode the configuration selects: the
 * {@link RuleStore}, the {@link IngestLog} (events and dead letters) and the {@link AlertFeed}.
 * Embedded mode backs them with {@link EmbeddedStorage} (the local log under `DATA_DIR`); Kafka
 * mode (`KAFKA_BROKERS` set) with a {@link KafkaConnection} (rules topic, events topic,
 * dead-letter topic, alerts topic).
 *
 * @example
 * ```ts
 * imports: [StorageModule.forRoot(config)]
 * ```
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    const providers: Provider[] =
      config.kafkaBrokers === undefined
        ? [
            embeddedStorageProvider,
            {
              provide: RULE_STORE,
              inject: [EmbeddedStorage],
              useFactory: (storage: EmbeddedStorage): RuleStore => LocalLogRuleStore.open(storage.log),
            },
            {
              provide: INGEST_LOG,
              inject: [EmbeddedStorage],
              useFactory: (storage: EmbeddedStorage): IngestLog => ({
                appendEvents: (events) => storage.events.append(events),
                appendDeadLetters: (records) => storage.deadLetters.append(records),
              }),
            },
            {
              provide: ALERT_FEED,
              inject: [EmbeddedStorage],
              useFactory: (storage: EmbeddedStorage): AlertFeed => new LocalLogAlertFeed(storage),
            },
          ]
        : [
            kafkaConnectionProvider,
            {
              provide: RULE_STORE,
              inject: [KafkaConnection],
              useFactory: (kafka: KafkaConnection): Promise<RuleStore> => KafkaRuleStore.open(kafka),
            },
            {
              provide: INGEST_LOG,
              inject: [KafkaConnection],
              useFactory: (kafka: KafkaConnection): IngestLog => new KafkaIngestLog(kafka),
            },
            {
              provide: ALERT_FEED,
              inject: [KafkaConnection],
              useFactory: (kafka: KafkaConnection): AlertFeed => new KafkaAlertFeed(kafka),
            },
          ];
    const mode = config.kafkaBrokers === undefined ? EmbeddedStorage : KafkaConnection;
    return {
      module: StorageModule,
      providers,
      exports: [mode, RULE_STORE, INGEST_LOG, ALERT_FEED],
    };
  }
}
