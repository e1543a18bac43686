import { afterAll, describe, expect, it } from 'vitest';
import type { RuleEvent } from '../../src/rules/index.js';
import { testKafka } from '../integration/kafka/kafka-test-client.js';
import { call, type RunningService, removeServiceDirs, T0 } from '../service/service-harness.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';

// The repartition topic `<app>-routed` is the application's own: once the evaluator group has
// committed past its records they are deleted (Kafka Streams' purge), so it does not grow without
// bound; records are routed once per grouping and carry rule references, not rule bodies.

const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) await s.close().catch(() => {});
  removeServiceDirs();
});

const rule = (id: string, key: string[], type: string) => ({
  id,
  version: 1,
  status: 'active',
  kind: 'pattern',
  key,
  stages: [
    { name: 'first', condition: `e.type == "${type}"` },
    { name: 'then', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: '{{key}}' },
});

async function offsets(topic: string): Promise<{ low: number; high: number }> {
  const admin = testKafka('e2e-purge-admin').admin();
  await admin.connect();
  try {
    const o = await admin.fetchTopicOffsets(topic);
    return {
      low: o.reduce((n, p) => n + Number(p.low), 0),
      high: o.reduce((n, p) => n + Number(p.high), 0),
    };
  } finally {
    await admin.disconnect();
  }
}

describe('the repartition topic in Kafka mode', () => {
  it('gets one record per event and grouping, and is purged once the evaluators committed past it', async () => {
    const app = uniqueApp('purge');
    const svc = await startKafkaService(app, {
      LOAD_EXAMPLE_RULES: 'false',
      KAFKA_ROUTED_PURGE_INTERVAL_MS: '500',
    });
    services.push(svc);
    // Three rules over two groupings; every rule takes logins or payouts.
    for (const r of [
      rule('a', ['user'], 'login'),
      rule('b', ['user'], 'login'),
      rule('c', ['card'], 'login'),
    ]) {
      expect((await call(`${svc.url}/rules`, 'POST', r)).status).toBe(201);
    }
    const events: RuleEvent[] = [];
    for (let i = 0; i < 50; i++) {
      events.push({ type: 'login', user: `u${i}`, card: `c${i}`, ts: T0 + i * 1000, id: `l${i}` });
      events.push({
        type: 'payout',
        user: `u${i}`,
        card: `c${i}`,
        amount: 900,
        ts: T0 + i * 1000 + 500,
        id: `p${i}`,
      });
      events.push({ type: 'noise', user: `u${i}`, card: `c${i}`, ts: T0 + i * 1000 + 600, id: `n${i}` });
    }
    expect((await call(`${svc.url}/events`, 'POST', events)).status).toBe(202);
    // 3 alerts per user (a, b on the user grouping, c on the card grouping).
    const deadline = Date.now() + 40_000;
    let alerts: unknown[] = [];
    while (Date.now() < deadline) {
      alerts = (await call(`${svc.url}/alerts?limit=1000`, 'GET')).body as unknown[];
      if (alerts.length >= 150) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(alerts).toHaveLength(150);
    const routed = `${app}-routed`;
    // Logins and payouts once per grouping (2), the noise event not at all (no rule takes it),
    // plus watermark records and transaction markers.
    const { high } = await offsets(routed);
    expect(high).toBeGreaterThanOrEqual(200);
    expect(high).toBeLessThan(200 + 150);
    // Purged up to what the evaluators committed: eventually the low offsets reach the records.
    let low = 0;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      low = (await offsets(routed)).low;
      if (low >= 200) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(low).toBeGreaterThanOrEqual(200);
  });
});
