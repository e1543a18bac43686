import type { KafkaOutgoingMessage } from '../../core/connectors/kafka/index.js';
import { eventIdOf, type RuleEvent } from '../../rules/index.js';
import { WATERMARK_TICK_TYPE } from '../pipeline/idle-flush-watermarks.js';
import type { DeadLetterRecord } from '../storage/dead-letter-record.js';
import type { IngestLog } from '../storage/ingest-log.js';
import type { KafkaConnection } from './kafka-connection.js';

/**
 * Kafka mode's {@link IngestLog}: accepted events go to the events topic (JSON, keyed by their
 * `id` so that a resent event lands in the partition of its first copy, where the router task
 * deduplicates it; without an id no key, so the producer spreads them over the partitions; event
 * time, not arrival order, decides matching),
 * followed by a watermark tick on every partition (see `appendEvents`),
 * refused ones as JSON {@link DeadLetterRecord}s to `<app>-dead-letters`. The shared producer is
 * idempotent and waits for the acks of all in-sync replicas. Record timestamps are the ingest
 * time, not the event time (`ts`, in the JSON, is what the router reads): time-based retention
 * counts from the record timestamp, and would delete events older than `retention.ms` (a
 * backfill) before the router tasks read them.
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
    const messages: KafkaOutgoingMessage[] = [];
    let maxTs = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      const ts = e.ts as number;
      if (ts > maxTs) maxTs = ts;
      // Keyed by the event id (unkeyed without one): a resent event goes to the partition of its
      // first copy, whose router task holds the ids it saw (the dedup state is per partition).
      messages.push({ key: eventIdOf(e) ?? null, value: JSON.stringify(e) });
    }
    // After the events (order holds per partition within one request), one watermark tick per
    // partition: every partition's newest event time becomes at least this batch's, so once
    // the router tasks idle-flush, event time is the batch's on all of them and its alerts
    // fire, however the batch was spread.
    const tick = JSON.stringify({ type: WATERMARK_TICK_TYPE, ts: maxTs });
    for (let p = 0; p < this.kafka.eventPartitions; p++) {
      messages.push({ key: null, value: tick, partition: p });
    }
    await this.kafka.producer.send(this.kafka.topics.events, messages);
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
