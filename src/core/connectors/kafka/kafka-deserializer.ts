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
