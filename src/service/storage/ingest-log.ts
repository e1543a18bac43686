import type { RuleEvent } from '../../rules/index.js';
import type { DeadLetterRecord } from './dead-letter-record.js';

/**
 * A port: where the HTTP ingest writes accepted events (the pipeline's input) and refused ones
 * (dead letters). Embedded mode: the local log's `events` and `dead-letters` topics; Kafka mode:
 * the events topic and `<app>-dead-letters`. Both resolve once the records are durable.
 *
 * @example
 * ```ts
 * await ingestLog.appendEvents([{ type: 'login', ts: 1, user: 'ann' }]);
 * ```
 */
export interface IngestLog {
  appendEvents(events: readonly RuleEvent[]): Promise<void>;
  appendDeadLetters(records: readonly DeadLetterRecord[]): Promise<void>;
}

/**
 * Injection token of the {@link IngestLog}.
 *
 * @example
 * ```ts
 * constructor(@Inject(INGEST_LOG) private readonly log: IngestLog) {}
 * ```
 */
export const INGEST_LOG = Symbol('INGEST_LOG');
