import type { RuleEvent } from '../../rules/index.js';
import type { DeadLetterRecord } from '../storage/dead-letter-record.js';
import type { IngestLog } from '../storage/ingest-log.js';
import type { KafkaConnection } from './kafka-connection.js';

/**
 * Kafka mode's {@link IngestLog}: accepted events go to the events topic (JSON, no key, so the
 * producer spreads them over the partitions; event time, not arrival order, decides matching),
 * refused ones as JSON {@link DeadLetterRecord}s to `<app>-dead-letters`. The shared producer is
 * idempotent and waits for the acks of all in-sync replicas.
 *
 * @example
 * ```ts
 * await new KafkaIngestLog(kafka).appendEvents([{ type: 'login', ts: 1, user: 'ann' }]);
 * ```
 */
export class KafkaIngestLog implements IngestLog {
  constructor(private readonly kafka: KafkaConnection) {}

  async appendEvents(events: readonly RuleEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.kafka.producer.send(
      this.kafka.topics.events,
      events.map((e) => ({ key: null, value: JSON.stringify(e), timestamp: e.ts as number })),
    );
  }

  async appendDeadLetters(records: readonly DeadLetterRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.kafka.producer.send(
      this.kafka.topics.deadLetters,
      records.map((r) => ({
        key: r.source,
        value: JSON.stringify(r),
        headers: { 'dlq.reason': r.reason, 'dlq.source': r.source },
      })),
    );
  }
}
