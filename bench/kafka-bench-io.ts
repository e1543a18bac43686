/**
 * The Kafka benchmark's own clients (plain kafkajs, outside the runner under test): the
 * pre-fill of the input topic, the steady producer of the latency phase, and the
 * read_committed reader of the alerts.
 */
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { sleep } from './cep-stats.js';
import type { BenchAlert, EventGenerator } from './kafka-workload.js';

/**
 * Creates topics and waits until every partition has a leader. kafkajs' own `waitForLeaders`
 * gives up on `UNKNOWN_TOPIC_OR_PARTITION`, which a busy broker answers right after creating.
 */
export async function createTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
  timeoutMs = 30_000,
): Promise<void> {
  await admin.createTopics({
    waitForLeaders: false,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready =
        found.length === topics.length &&
        found.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Writes `count` events to `topic` (the default partitioner puts a key on one partition), in
 * requests of 5000, one at a time: kafkajs does not keep the order of concurrent sends, and the
 * expected alerts assume each partition holds its events in generation order. Event timestamps
 * are synthetic (one ms apart).
 */
export async function prefill(
  producer: Producer,
  topic: string,
  gen: EventGenerator,
  count: number,
): Promise<void> {
  const chunk = 5000;
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < count; i += chunk) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + chunk); j++) messages.push(gen.next(t0 + j));
    await producer.send({ topic, acks: 1, messages });
  }
}

/**
 * Appends `rate` events/s to `topic` for `seconds` (one request per 5-10 ms tick, acks from all
 * replicas), each event's `ts` being the time just before its request. Returns the events sent.
 */
export async function steadyProduce(
  producer: Producer,
  topic: string,
  gen: EventGenerator,
  rate: number,
  seconds: number,
): Promise<number> {
  const start = Date.now();
  const end = start + seconds * 1000;
  let sent = 0;
  for (let now = Date.now(); now < end; now = Date.now()) {
    const due = Math.floor(((now - start) * rate) / 1000) - sent;
    if (due <= 0) {
      await sleep(5);
      continue;
    }
    const messages = [];
    for (let i = 0; i < due; i++) messages.push(gen.next(now));
    sent += due;
    await producer.send({ topic, acks: -1, messages });
  }
  return sent;
}

/**
 * A read_committed reader of the alert topic, from its beginning: counts alerts and records, for
 * alerts completed by an event sent at or after {@link since}, the time from that send to now.
 *
 * @example
 * ```ts
 * const reader = new AlertReader(kafka, 'bench-reader');
 * await reader.start('alerts');
 * await reader.waitFor(1000, 30_000);
 * ```
 */
export class AlertReader {
  count = 0;
  /** When the last batch of alerts was read. */
  lastBatchAt = 0;
  /** Alerts whose completing event was sent at or after this time are latency samples. */
  since = Number.POSITIVE_INFINITY;
  readonly latenciesMs: number[] = [];
  private readonly consumer: Consumer;
  private waiters: Array<() => void> = [];

  constructor(kafka: Kafka, groupId: string) {
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, readUncommitted: false });
  }

  async start(topic: string): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (m.value === null) continue;
          const alert = JSON.parse(m.value.toString('utf8')) as BenchAlert;
          this.count++;
          if (alert.bTs >= this.since) this.latenciesMs.push(now - alert.bTs);
        }
        if (batch.messages.length > 0) this.lastBatchAt = now;
        for (const w of this.waiters.splice(0)) w();
      },
    });
  }

  /** Resolves true once `count` alerts were read, false after `timeoutMs`. */
  async waitFor(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < count) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
