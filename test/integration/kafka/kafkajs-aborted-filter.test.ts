/**
 * Read_committed through the KafkajsPort on the real broker, with aborted transactions that
 * overlap and are aborted in another order than they began (what a crash of a process with
 * several tasks leaves in a repartition topic): kafkajs 2.2.4's own filter hands over a record of
 * one of them; the port's filter (`installKafkajsAbortedTransactionFilter`) must not.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../src/core/connectors/kafka/kafka-port.js';
import { KafkajsPort } from '../../../src/core/connectors/kafka/kafkajs-port.js';
import { waitFor } from './kafka-connector-helpers.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

describe('KafkajsPort read_committed with overlapping aborted transactions', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka('kafkajs-aborted-filter');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  it('hands over only committed records', async () => {
    const topic = uniqueName('aborted-filter');
    await createTopic(admin, topic, 1);
    const producer = (id: string) =>
      kafka.producer({ transactionalId: `${topic}-${id}`, idempotent: true, maxInFlightRequests: 1 });
    const [a, b, c] = [producer('a'), producer('b'), producer('c')];
    await Promise.all([a.connect(), b.connect(), c.connect()]);
    try {
      const ta = await a.transaction();
      await ta.send({ topic, messages: [{ value: 'a1 aborted' }] });
      const tb = await b.transaction();
      await tb.send({ topic, messages: [{ value: 'b1 aborted' }] });
      await ta.send({ topic, messages: [{ value: 'a2 aborted' }] });
      await tb.abort(); // B's marker first: the broker lists B before A
      await ta.abort();
      const tc = await c.transaction();
      await tc.send({ topic, messages: [{ value: 'c1 committed' }, { value: 'c2 committed' }] });
      await tc.commit();
    } finally {
      await Promise.all([a.disconnect(), b.disconnect(), c.disconnect()]);
    }

    const port = new KafkajsPort(kafka);
    const consumer = port.consumer({ groupId: uniqueName('aborted-filter-reader'), maxWaitTimeMs: 100 });
    const got: KafkaRecord[] = [];
    let nextOffset = 0;
    await consumer.connect();
    try {
      await consumer.subscribe([topic], true);
      await consumer.run(async (batch) => {
        got.push(...batch.records);
        if (batch.nextOffset !== null) nextOffset = Math.max(nextOffset, batch.nextOffset);
      });
      // The end offset: 5 data records, 2 abort markers, 1 commit marker.
      await waitFor(() => nextOffset >= 8, `the reader at the end (at ${nextOffset})`, 20_000);
    } finally {
      await consumer.disconnect();
    }
    // Only the committed records. Their offsets depend on where the coordinator's abort markers
    // land (written after EndTxn returns, possibly after C's records), so only their order is checked.
    expect(got.map((r) => r.value?.toString())).toEqual(['c1 committed', 'c2 committed']);
    expect(got[1]!.offset).toBe(got[0]!.offset + 1);
  });
});
