import { Global, Module } from '@nestjs/common';
import { LocalLogRuleStore } from '../rules/local-log-rule-store.js';
import { RULE_STORE, type RuleStore } from '../rules/rule-store.js';
import { EmbeddedStorage, embeddedStorageProvider } from './embedded-storage.js';

/**
 * The embedded mode's storage for every module (global): {@link EmbeddedStorage} (the local log
 * and its journals) and the {@link RuleStore} on its `rules` topic. Kafka mode will provide the
 * same tokens from Kafka.
 *
 * @example
 * ```ts
 * imports: [StorageModule]
 * ```
 */
@Global()
@Module({
  providers: [
    embeddedStorageProvider,
    {
      provide: RULE_STORE,
      inject: [EmbeddedStorage],
      useFactory: (storage: EmbeddedStorage): RuleStore => LocalLogRuleStore.open(storage.log),
    },
  ],
  exports: [EmbeddedStorage, RULE_STORE],
})
export class StorageModule {}
