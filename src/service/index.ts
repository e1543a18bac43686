/**
 * The NestJS rule service (DESIGN §7): build it with {@link createApp}, configure it with
 * {@link loadServiceConfig}.
 *
 * @example
 * ```ts
 * import { createApp, loadServiceConfig } from './service/index.js';
 * const config = loadServiceConfig(process.env);
 * const app = await createApp(config);
 * await app.listen(config.port, config.host);
 * ```
 *
 * @packageDocumentation
 */
export { AppModule } from './app.module.js';
export { ConfigError, loadServiceConfig, parseSize, type ServiceConfig } from './config/service-config.js';
export { type CreateAppOptions, createApp } from './create-app.js';
export type { RuleRecord } from './rules/rule-record.js';
export { RULE_STORE, type RuleStore } from './rules/rule-store.js';
export type { RecordJournal } from './storage/record-journal.js';
