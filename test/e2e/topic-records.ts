import { type ReadTopicRecord, TopicReader } from '../integration/kafka/fixtures/topic-reader.js';
import { testKafka } from '../integration/kafka/kafka-test-client.js';

/** A record as {@link TopicRecords} read it. */
export type TopicRecord = ReadTopicRecord;

/**
 * The integration tests' {@link TopicReader} for the service's topics: reads a whole topic from
 * the beginning, read_committed by default (what a downstream consumer of the service sees),
 * started on the vitest run's broker and joined before `start` resolves, with JSON values.
 *
 * @example
 * ```ts
 * const alerts = await TopicRecords.start('app-alerts');
 * await alerts.waitUntil((rs) => rs.length >= 3, '3 alerts', 30_000);
 * await alerts.readToEnd(30_000);
 * await alerts.stop();
 * ```
 */
export class TopicRecords extends TopicReader {
  /** Joins a throwaway group on `topic` and starts reading; resolves once the group is joined. */
  static async start(topic: string, readUncommitted = false): Promise<TopicRecords> {
    const reader = new TopicRecords(testKafka('e2e-reader'), topic, readUncommitted);
    await reader.start();
    await reader.joined;
    return reader;
  }

  /** The record values parsed as JSON (records without a value are left out). */
  values<T>(): T[] {
    return this.records.filter((r) => r.value !== null).map((r) => JSON.parse(r.value!) as T);
  }

  /** Waits until every partition was read up to the end offsets it has now ({@link waitForEnd}). */
  readToEnd(timeoutMs: number): Promise<void> {
    return this.waitForEnd(timeoutMs);
  }
}
