import type { KafkaRecord } from './kafka-port.js';

/** Turns a Kafka record into a value; throws to reject it (it then goes to the dead-letter topic). */
export type KafkaDeserializer<T> = (record: KafkaRecord) => T;

/**
 * The default deserializer: the record value parsed as UTF-8 JSON.
 *
 * @example
 * ```ts
 * new KafkaSource<Order>({ port, topics: ['orders'], groupId: 'g', deserializer: jsonDeserializer });
 * ```
 */
export function jsonDeserializer<T>(record: KafkaRecord): T {
  if (record.value === null) throw new Error('record has no value (tombstone)');
  return JSON.parse(record.value.toString('utf8')) as T;
}

/** Header names the source sets on dead-letter records. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dlq.reason',
  topic: 'dlq.topic',
  partition: 'dlq.partition',
  offset: 'dlq.offset',
} as const;

/**
 * The headers of a dead-letter record: the original record's headers plus the reason and where
 * the record came from ({@link DEAD_LETTER_HEADERS}).
 *
 * @example
 * ```ts
 * deadLetterHeaders(record, 'Unexpected token } in JSON')['dlq.offset']; // '42'
 * ```
 */
export function deadLetterHeaders(record: KafkaRecord, reason: string): Record<string, Buffer | string> {
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(record.headers)) if (value !== undefined) headers[name] = value;
  headers[DEAD_LETTER_HEADERS.reason] = reason;
  headers[DEAD_LETTER_HEADERS.topic] = record.topic;
  headers[DEAD_LETTER_HEADERS.partition] = String(record.partition);
  headers[DEAD_LETTER_HEADERS.offset] = String(record.offset);
  return headers;
}
