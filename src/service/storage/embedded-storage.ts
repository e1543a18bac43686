import { join } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LocalLog } from '../../core/index.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { DeadLetterRecord } from './dead-letter-record.js';
import { TopicJournal } from './topic-journal.js';

/** Topics of the embedded mode's local log, one partition each. */
export const EMBEDDED_TOPICS = ['rules', 'events', 'alerts', 'dead-letters'] as const;

/**
 * The embedded mode's durable storage: one {@link LocalLog} under `DATA_DIR/log` with the topics
 * `rules` (the rule store), `events` (accepted events), `alerts` (written by the engine job's
 * exactly-once sink) and `dead-letters`, a group-committing journal for `events` and
 * `dead-letters`, and the job's checkpoints under `DATA_DIR/checkpoints`. Opened by {@link EmbeddedStorage.open} (an async
 * provider, so it is ready before any `onModuleInit`), flushed and closed last at shutdown.
 *
 * @example
 * ```ts
 * const storage = await EmbeddedStorage.open(config);
 * await storage.events.append([event]);
 * ```
 */
@Injectable()
export class EmbeddedStorage implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedStorage');
  readonly deadLetters: TopicJournal<DeadLetterRecord>;
  readonly events: TopicJournal<unknown>;
  private closed = false;

  constructor(
    readonly log: LocalLog,
    /** Directory of the engine job's checkpoints. */
    readonly checkpointDir: string,
    /** Directory of savepoints taken with `POST /admin/savepoint`. */
    readonly savepointDir: string,
  ) {
    this.deadLetters = new TopicJournal(log, 'dead-letters');
    this.events = new TopicJournal(log, 'events');
  }

  /** Opens (and recovers) the log, creating missing topics. @example `await EmbeddedStorage.open(config)` */
  static async open(config: ServiceConfig): Promise<EmbeddedStorage> {
    const log = await LocalLog.open(join(config.dataDir, 'log'));
    for (const topic of EMBEDDED_TOPICS) {
      if (!log.topics().includes(topic)) await log.createTopic(topic, 1);
    }
    return new EmbeddedStorage(log, join(config.dataDir, 'checkpoints'), join(config.dataDir, 'savepoints'));
  }

  /** Commits pending journal records and closes the log (idempotent). @example `await storage.close()` */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.deadLetters.flush(), this.events.flush()]);
    await this.log.close();
    this.logger.log('local log flushed and closed');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/**
 * Nest provider of {@link EmbeddedStorage}.
 *
 * @example
 * ```ts
 * providers: [embeddedStorageProvider]
 * ```
 */
export const embeddedStorageProvider = {
  provide: EmbeddedStorage,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ServiceConfig): Promise<EmbeddedStorage> => EmbeddedStorage.open(config),
};
