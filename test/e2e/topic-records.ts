import type { Consumer } from 'kafkajs';
import { installKafkajsAbortedTransactionFilter } from '../../src/core/connectors/kafka/kafkajs-aborted-filter.js';
import { testKafka, uniqueName } from '../integration/kafka/kafka-test-client.js';

/** A record as {@link TopicRecords} read it. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Reads a whole topic from the beginning, read_committed by default (what a downstream consumer
 * of the service sees), into `records`, while a test runs. Redeliveries after a rejoin (same
 * partition and offset) are dropped: a real duplicate in the topic has an offset of its own.
 *
 * @example
 * ```ts
 * const alerts = await TopicRecords.start('app-alerts');
 * await alerts.waitUntil((rs) => rs.length >= 3, '3 alerts', 30_000);
 * await alerts.readToEnd(30_000);
 * await alerts.stop();
 * ```
 */
export class TopicRecords {
  readonly records: TopicRecord[] = [];
  /** Per partition: the offset after the last record or transaction marker read. */
  private readonly positions = new Map<number, number>();
  private readonly next = new Map<number, number>();

  private constructor(
    readonly topic: string,
    private readonly consumer: Consumer,
  ) {}

  /** Joins a throwaway group on `topic` and starts reading; resolves once the group is joined. */
  static async start(topic: string, readUncommitted = false): Promise<TopicRecords> {
    // kafkajs 2.2.4 alone hands out records of overlapping aborted transactions as committed.
    installKafkajsAbortedTransactionFilter();
    const consumer = testKafka('e2e-reader').consumer({
      groupId: uniqueName('e2e-reader'),
      readUncommitted,
      maxWaitTimeInMs: 100,
    });
    const reader = new TopicRecords(topic, consumer);
    // Also emitted for fetches that held only transaction markers or aborted records, so a
    // partition's position reaches its end offset once everything before it was read.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const after = Number(payload.lastOffset) + 1;
      if (after > (reader.positions.get(payload.partition) ?? 0))
        reader.positions.set(payload.partition, after);
    });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        if (offset < (reader.next.get(partition) ?? 0)) return;
        reader.next.set(partition, offset + 1);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = v.toString();
        reader.records.push({
          partition,
          offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          headers,
        });
      },
    });
    await joined;
    return reader;
  }

  /** The record values parsed as JSON (records without a value are left out). */
  values<T>(): T[] {
    return this.records
      .filter((r) => r.value !== null)
      .map((r) => JSON.parse(r.value!.toString('utf8')) as T);
  }

  /** Waits until `condition` holds for the records read so far. */
  async waitUntil(
    condition: (records: readonly TopicRecord[]) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this.records)) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.topic}: no ${what} after ${timeoutMs} ms (${this.records.length} records read)`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Waits until every partition was read up to the end offsets it has now. Call it once nothing
   * writes and no transaction is open: then nothing else can show up.
   */
  async readToEnd(timeoutMs: number): Promise<void> {
    const admin = testKafka('e2e-reader-admin').admin();
    await admin.connect();
    let ends: { partition: number; high: string }[];
    try {
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    const behind = () => ends.filter((e) => (this.positions.get(e.partition) ?? 0) < Number(e.high));
    const deadline = Date.now() + timeoutMs;
    while (behind().length > 0) {
      if (Date.now() > deadline) {
        const lag = behind().map((e) => `p${e.partition}: ${this.positions.get(e.partition) ?? 0}/${e.high}`);
        throw new Error(`${this.topic} not read to its end after ${timeoutMs} ms (${lag.join(', ')})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
