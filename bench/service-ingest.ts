/**
 * How the service benchmark feeds events to the service: over HTTP (`POST /events`), or, in
 * Kafka mode with `INGEST=kafka`, straight to the service's events topic with kafkajs, as most
 * producers would (no HTTP; key = the event's `user`, kafkajs's default partitioner).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { WATERMARK_TICK_TYPE } from '../src/service/pipeline/idle-flush-watermarks.js';
import { postJson } from './service-client.js';
import type { BenchEvent } from './service-rules.js';

/** A way into the service's events. */
export interface Ingest {
  /** `http` or `kafka`. */
  readonly name: string;
  /** Batches sent again after a broken connection (HTTP). */
  readonly resent?: number;
  /** Sends a batch; resolves when the service (HTTP 202) or the broker (all acks) took it. */
  send(events: readonly BenchEvent[]): Promise<void>;
  /**
   * Moves event time to `ts` everywhere, so windows and `within` timeouts up to it fire once the
   * service goes idle. HTTP: one event of a type no rule reads (in Kafka mode the HTTP ingest
   * then writes a watermark tick to every partition). Kafka: a watermark tick to every
   * partition of the events topic, as the README asks of direct producers.
   */
  advance(ts: number): Promise<void>;
  close(): Promise<void>;
}

/** `POST <url>/events`, every event accepted (202 with nothing dead-lettered) or it throws. */
export function httpIngest(url: string): Ingest {
  const send = async (events: readonly BenchEvent[]): Promise<void> => {
    // A batch whose connection broke is sent again with the same Idempotency-Key: the service
    // drops what it already took, as a client that always resends unanswered batches relies on.
    const headers = { 'idempotency-key': randomUUID() };
    for (let attempt = 1; ; attempt++) {
      let r: any;
      try {
        r = await postJson(`${url}/events`, events, 202, headers);
      } catch (e) {
        if (attempt >= 5 || !(e instanceof TypeError)) throw e; // fetch's network failures
        resent++;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        continue;
      }
      if (r.accepted !== events.length)
        throw new Error(`accepted ${r.accepted} of ${events.length}: ${JSON.stringify(r)}`);
      return;
    }
  };
  let resent = 0;
  return {
    name: 'http',
    get resent() {
      return resent;
    },
    send,
    advance: (ts) => send([{ type: 'heartbeat', ts, user: 'bench-clock', ip: 'bench-clock' }]),
    close: async () => {},
  };
}

/**
 * A kafkajs producer on the service's events topic (the topic must exist: the service creates
 * it at boot). Records: key = `user`, value = the event's JSON; ticks carry no key and go to
 * each partition explicitly.
 *
 * @example
 * ```ts
 * const ingest = await kafkaIngest('127.0.0.1:9092', 'bench-1234abcd-events');
 * await ingest.send([{ type: 'login', ts: Date.now(), user: 'u-1', ip: 'ip-1' }]);
 * await ingest.close();
 * ```
 */
export async function kafkaIngest(brokers: string, topic: string): Promise<Ingest> {
  const kafka = new Kafka({
    clientId: 'bench-service-ingest',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number;
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    partitions = meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
  if (partitions === 0) throw new Error(`topic ${topic} has no partitions`);
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    name: 'kafka',
    async send(events) {
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({ key: e.user, value: JSON.stringify(e) })),
      });
    },
    async advance(ts) {
      const value = JSON.stringify({ type: WATERMARK_TICK_TYPE, ts });
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: partitions }, (_, partition) => ({ value, partition })),
      });
    },
    close: () => producer.disconnect(),
  };
}
