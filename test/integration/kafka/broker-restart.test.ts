import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  brokerLog,
  canControlBroker,
  isBrokerRunning,
  restartBroker,
  startBroker,
  stopBroker,
} from './broker-control.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = testKafka('broker-restart');
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  // Leave a serving broker to the files that run next, even when a test here failed midway.
  if (canControlBroker() && !isBrokerRunning()) await startBroker();
});

/** Reads every record of a one-partition topic with a fresh consumer, until `count` arrived. */
async function readAll(topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('restart-reader'), maxWaitTimeInMs: 100 });
  const values: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.length >= count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe.skipIf(!canControlBroker())('broker control (restart on the same ports and log dir)', () => {
  it.each([
    { how: 'clean shutdown', crash: false },
    { how: 'crash (SIGKILL)', crash: true },
  ])('keeps committed data and serves again after a $how', async ({ crash }) => {
    onTestFailed(async () => console.error(`--- Kafka broker log (tail) ---\n${await brokerLog()}`));
    const topic = uniqueName('restart');
    await createTopic(admin, topic);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'before-1' }, { value: 'before-2' }] });
    await producer.disconnect();

    await restartBroker({ crash });
    expect(isBrokerRunning()).toBe(true);

    const after = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await after.connect();
    await after.send({ topic, acks: -1, messages: [{ value: 'after-1' }] });
    await after.disconnect();
    expect(await readAll(topic, 3)).toEqual(['before-1', 'before-2', 'after-1']);
  });

  it('stops the broker so clients fail, until it is started again', async () => {
    await stopBroker();
    expect(isBrokerRunning()).toBe(false);
    const probe = testKafka('restart-probe', { retry: { retries: 0 }, connectionTimeout: 500 }).admin();
    await expect(probe.connect()).rejects.toThrow();
    await restartBroker();
    expect(isBrokerRunning()).toBe(true);
    await probe.connect();
    expect((await probe.describeCluster()).brokers).toHaveLength(1);
    await probe.disconnect();
  });
});
