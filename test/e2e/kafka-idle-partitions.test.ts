import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { testKafka } from '../integration/kafka/kafka-test-client.js';
import {
  call,
  eventually,
  NEW_DEVICE_PAYOUT_RULE,
  type RunningService,
  removeServiceDirs,
} from '../service/service-harness.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';
import { TopicRecords } from './topic-records.js';

// Idleness that cannot make data late: a producer that writes to the events topic directly, to
// one partition of four, and no watermark ticks. The router tasks of the three empty partitions
// must go idle (read to their end, nothing for IDLE_TIMEOUT_MS) so that event time moves on
// without them, and the alert comes within EVENT_OUT_OF_ORDERNESS_MS + IDLE_TIMEOUT_MS + two
// commit intervals. Without idleness (IDLE_TIMEOUT_MS=0) event time would wait for the empty
// partitions forever and the alert would never come.

const OUT_OF_ORDERNESS_MS = 1000;
const IDLE_TIMEOUT_MS = 3000;
const COMMIT_INTERVAL_MS = 100;
/**
 * Beyond the bound: the idleness check runs on the 100 ms periodic emits after an end-offset
 * probe (every min(1 s, IDLE_TIMEOUT_MS / 2)), and this test polls GET /alerts every 50 ms.
 */
const SLACK_MS = 1500;

const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) await s.close().catch(() => {});
  removeServiceDirs();
});

const RULE = NEW_DEVICE_PAYOUT_RULE;

/** Starts a service with 4 partitions per topic, posts RULE, and produces the two events to partition 0 only. */
async function produceToOnePartition(
  idleTimeoutMs: number,
): Promise<{ svc: RunningService; app: string; sentAt: number }> {
  const app = uniqueApp('idle');
  const svc = await startKafkaService(
    app,
    {
      LOAD_EXAMPLE_RULES: 'false',
      EVENT_OUT_OF_ORDERNESS_MS: String(OUT_OF_ORDERNESS_MS),
      IDLE_TIMEOUT_MS: String(idleTimeoutMs),
      CHECKPOINT_INTERVAL_MS: String(COMMIT_INTERVAL_MS),
    },
    4,
  );
  services.push(svc);
  await eventually(async () => (await call(`${svc.url}/health/ready`, 'GET')).status === 200, 60_000);
  expect((await call(`${svc.url}/rules`, 'POST', RULE)).status).toBe(201);
  // The rule reaches the router and evaluator tasks through the rules topic: give it a moment.
  await new Promise((r) => setTimeout(r, 500));
  const producer = testKafka('idle-producer').producer();
  await producer.connect();
  const now = Date.now();
  const events = [
    { type: 'login', user: 'ann', newDevice: true, ts: now - 120_000 },
    { type: 'payout', user: 'ann', amount: 900, ts: now - 60_000 },
  ];
  const sentAt = Date.now();
  try {
    await producer.send({
      topic: `${app}-events`,
      messages: events.map((e) => ({ partition: 0, value: JSON.stringify(e) })),
    });
  } finally {
    await producer.disconnect();
  }
  return { svc, app, sentAt };
}

const alertsOf = async (svc: RunningService): Promise<unknown[]> =>
  (await call(`${svc.url}/alerts?ruleId=new-device-payout`, 'GET')).body as unknown[];

describe('idle partitions in Kafka mode', () => {
  it('a producer writing to one partition of four gets its alert once the empty partitions are idle', async () => {
    const { svc, app, sentAt } = await produceToOnePartition(IDLE_TIMEOUT_MS);
    const routed = await TopicRecords.start(`${app}-routed`, true);
    onTestFailed(async () => {
      console.error(JSON.stringify((await call(`${svc.url}/health/ready`, 'GET')).body));
      console.error(
        routed.records
          .map((r) => `${r.partition}@${r.offset} ${JSON.stringify(r.headers)} ${r.value?.slice(0, 80)}`)
          .join('\n'),
      );
    });
    const bound = OUT_OF_ORDERNESS_MS + IDLE_TIMEOUT_MS + 2 * COMMIT_INTERVAL_MS + SLACK_MS;
    const alerts = await eventually(async () => {
      const a = await alertsOf(svc);
      return a.length > 0 && a;
    }, 30_000);
    const took = Date.now() - sentAt;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ key: JSON.stringify([['user', 'ann']]) });
    expect(took).toBeLessThanOrEqual(bound);
  }, 120_000);

  it('without idleness (IDLE_TIMEOUT_MS=0) the empty partitions hold event time back: no alert', async () => {
    const { svc } = await produceToOnePartition(0);
    await new Promise((r) =>
      setTimeout(r, OUT_OF_ORDERNESS_MS + IDLE_TIMEOUT_MS + 2 * COMMIT_INTERVAL_MS + SLACK_MS),
    );
    expect(await alertsOf(svc)).toEqual([]);
  }, 120_000);
});
