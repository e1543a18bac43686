/**
 * Helpers of the Kafka connector integration tests: a port on the test broker, condition waits,
 * and a read_committed reader of a whole topic.
 */
import type { Kafka } from 'kafkajs';
import { KafkajsPort } from '../../../src/core/connectors/kafka/kafkajs-port.js';
import { testKafka, uniqueName } from './kafka-test-client.js';

export function testPort(kafka: Kafka = testKafka('kafka-connectors')): KafkajsPort {
  return new KafkajsPort(kafka);
}

/** Polls `condition` every 25 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads `topic` from the beginning (read_committed) until `count` records arrived, then waits `settleMs` for extras. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  settleMs = 500,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName('verifier'),
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  const got: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = v.toString();
        got.push({
          partition,
          offset: Number(message.offset),
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
        });
      },
    });
    await waitFor(() => got.length >= count, `${count} records in ${topic} (got ${got.length})`);
    await new Promise((r) => setTimeout(r, settleMs));
    return got;
  } finally {
    await consumer.disconnect();
  }
}
