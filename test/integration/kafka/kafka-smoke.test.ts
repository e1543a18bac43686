import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { brokerLog, canControlBroker, kafkaBrokers } from './broker-control.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

interface Received {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

let kafka: Kafka;
let admin: Admin;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  kafka = testKafka('kafka-smoke');
  admin = kafka.admin();
  await admin.connect();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

afterAll(async () => {
  await admin?.disconnect();
});

/** Prints the broker's log tail when the current test fails. */
function printBrokerLogOnFailure(): void {
  onTestFailed(async () => {
    if (canControlBroker()) console.error(`--- Kafka broker log (tail) ---\n${await brokerLog()}`);
  });
}

async function connectedProducer(config: Parameters<Kafka['producer']>[0] = {}): Promise<Producer> {
  const producer = kafka.producer(config);
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

/**
 * Consumes `topic` from the beginning in a new group until `done(received)` holds; returns what it got.
 * `readUncommitted` false (the default) is read_committed.
 */
async function consumeUntil(
  topic: string,
  done: (received: Received[]) => boolean,
  options: { readUncommitted?: boolean; timeoutMs?: number } = {},
): Promise<Received[]> {
  const consumer: Consumer = kafka.consumer({
    groupId: uniqueName('smoke-reader'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 100,
  });
  cleanups.push(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  const timeoutMs = options.timeoutMs ?? 20_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms; got ${JSON.stringify(received)}`)),
      timeoutMs,
    );
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? '',
          });
          if (done(received)) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return received;
}

const values = (received: Received[]) => received.map((r) => r.value);

describe('Kafka broker smoke tests (kafkajs)', () => {
  it('serves a one-node cluster at the provided address', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(kafkaBrokers().split(',')).toContain(`${cluster.brokers[0]!.host}:${cluster.brokers[0]!.port}`);
  });

  it('creates a topic explicitly and does not auto-create on metadata requests', async () => {
    printBrokerLogOnFailure();
    const topic = uniqueName('smoke-create');
    await createTopic(admin, topic, 3);
    expect(await admin.listTopics()).toContain(topic);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);

    const missing = uniqueName('smoke-missing');
    const producer = await connectedProducer({ allowAutoTopicCreation: false, retry: { retries: 1 } });
    await expect(producer.send({ topic: missing, messages: [{ value: 'x' }] })).rejects.toThrow();
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('produces and consumes keyed records in order per partition', async () => {
    printBrokerLogOnFailure();
    const topic = uniqueName('smoke-plain');
    await createTopic(admin, topic, 2);
    const producer = await connectedProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({
        partition: i % 2,
        key: `k${i % 2}`,
        value: `v${i}`,
      })),
    });

    const received = await consumeUntil(topic, (r) => r.length >= 20);
    expect(received).toHaveLength(20);
    for (const partition of [0, 1]) {
      const mine = received.filter((r) => r.partition === partition);
      expect(values(mine)).toEqual(Array.from({ length: 10 }, (_, i) => `v${2 * i + partition}`));
      expect(mine.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
      expect(new Set(mine.map((r) => r.key))).toEqual(new Set([`k${partition}`]));
    }
  });

  it('commits and aborts transactions with sendOffsets; read_committed sees only committed records', async () => {
    printBrokerLogOnFailure();
    const input = uniqueName('smoke-txn-in');
    const output = uniqueName('smoke-txn-out');
    const group = uniqueName('smoke-txn-group');
    await createTopic(admin, input);
    await createTopic(admin, output);
    const plain = await connectedProducer();
    await plain.send({ topic: input, messages: [{ value: 'i0' }, { value: 'i1' }, { value: 'i2' }] });

    const producer = await connectedProducer({
      transactionalId: uniqueName('smoke-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: [{ value: 'c1' }, { value: 'c2' }] });
    await committed.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
    });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ value: 'a1' }, { value: 'a2' }] });
    await aborted.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }],
    });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic: output, messages: [{ value: 'c3' }] });
    await last.commit();

    // One partition: once c3 arrives, everything before it has been delivered.
    const readCommitted = await consumeUntil(output, (r) => r.some((m) => m.value === 'c3'));
    expect(values(readCommitted)).toEqual(['c1', 'c2', 'c3']);

    // The aborted records were written; read_uncommitted sees them.
    const readUncommitted = await consumeUntil(output, (r) => r.some((m) => m.value === 'c3'), {
      readUncommitted: true,
    });
    expect(values(readUncommitted)).toEqual(['c1', 'c2', 'a1', 'a2', 'c3']);

    // The offset committed with the first transaction stands; the aborted one does not.
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    expect(offsets).toEqual([{ topic: input, partitions: [{ partition: 0, offset: '2', metadata: null }] }]);
  });

  it('fences a zombie: an older producer with the same transactionalId cannot commit', async () => {
    printBrokerLogOnFailure();
    const output = uniqueName('smoke-fence-out');
    await createTopic(admin, output);
    const transactionalId = uniqueName('smoke-fence');
    const config = { transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } };

    const zombie = await connectedProducer(config);
    const zombieTxn = await zombie.transaction();
    await zombieTxn.send({ topic: output, messages: [{ value: 'zombie-1' }] });

    // The newer instance's first transaction runs InitProducerId: it bumps the epoch and aborts the
    // zombie's open transaction.
    const successor = await connectedProducer(config);
    const successorTxn = await successor.transaction();
    await successorTxn.send({ topic: output, messages: [{ value: 'successor-1' }] });
    await successorTxn.commit();

    await expect(zombieTxn.commit()).rejects.toThrow(/epoch|fenced/i);

    const received = await consumeUntil(output, (r) => r.some((m) => m.value === 'successor-1'));
    expect(values(received)).toEqual(['successor-1']);
    const all = await consumeUntil(output, (r) => r.some((m) => m.value === 'successor-1'), {
      readUncommitted: true,
    });
    expect(values(all)).toEqual(['zombie-1', 'successor-1']);
  });
});
