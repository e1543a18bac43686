import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { type Alert, type RuleEvent, validateRule } from '../../src/rules/index.js';
import { testKafka } from '../integration/kafka/kafka-test-client.js';
import { runRules } from '../rules/helpers.js';
import {
  call,
  eventually,
  NEW_DEVICE_PAYOUT_RULE,
  type RunningService,
  removeServiceDirs,
} from '../service/service-harness.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';

// Idleness never makes data late: a consumer group that starts behind a backlog of hours of
// events on two partitions of four (the other two empty) gives exactly the alerts of reading every
// event in time order. The empty partitions go idle (read to their end, quiet for
// IDLE_TIMEOUT_MS) so they do not hold event time back; the partitions with a backlog never do,
// however long working it off takes, so none of their events is late.

const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) await s.close().catch(() => {});
  removeServiceDirs();
});

const RULES = [
  NEW_DEVICE_PAYOUT_RULE,
  {
    id: 'many-payouts',
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: ['user'],
    aggregate: 'count',
    filter: 'e.type == "payout"',
    window: { type: 'tumbling', size: 'PT30M' },
    compare: { op: '>=', value: 3 },
    alert: { severity: 'low', message: '{{count}} payouts for {{key}}' },
  },
];

/**
 * Hours of events for 40 users: users 0-19 on partition 0 (2 h), 20-39 on partition 1 (3 h),
 * ending over an hour ago; then one closing event per partition a minute ago, which moves event
 * time past every window and `within` (as later traffic would).
 */
function backlog(now: number): Array<{ partition: number; event: RuleEvent }> {
  let seed = 11;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const out: Array<{ partition: number; event: RuleEvent }> = [];
  for (let p = 0; p < 2; p++) {
    const hours = p === 0 ? 2 : 3;
    const start = now - 4 * 3_600_000 - 600_000;
    for (let i = 0, ts = start; ts < start + hours * 3_600_000; i++) {
      ts += Math.floor(rnd() * 20_000);
      const user = `u${p * 20 + Math.floor(rnd() * 20)}`;
      const r = rnd();
      const event: RuleEvent =
        r < 0.3
          ? { type: 'login', user, newDevice: rnd() < 0.3, ts, id: `p${p}-${i}` }
          : r < 0.6
            ? { type: 'payout', user, amount: Math.floor(rnd() * 1000), ts, id: `p${p}-${i}` }
            : { type: 'browse', user, ts, id: `p${p}-${i}` };
      out.push({ partition: p, event });
    }
  }
  for (let p = 0; p < 4; p++)
    out.push({ partition: p, event: { type: 'tick', user: 'closer', ts: now - 60_000, id: `close-${p}` } });
  return out;
}

describe('a consumer group behind a backlog in Kafka mode', () => {
  it('gives the alerts of reading every event in time order, with two partitions empty', async () => {
    const app = uniqueApp('backlog');
    const env = {
      LOAD_EXAMPLE_RULES: 'false',
      IDLE_TIMEOUT_MS: '1000',
      EVENT_OUT_OF_ORDERNESS_MS: '1000',
      CHECKPOINT_INTERVAL_MS: '100',
    };
    // First run: the rules, no events; then the service stops (its groups committed).
    const first = await startKafkaService(app, env, 4);
    services.push(first);
    await eventually(async () => (await call(`${first.url}/health/ready`, 'GET')).status === 200, 60_000);
    for (const r of RULES) expect((await call(`${first.url}/rules`, 'POST', r)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    await first.close();

    // The backlog, produced while no service runs.
    const now = Date.now();
    const produced = backlog(now);
    const producer = testKafka('backlog-producer').producer();
    await producer.connect();
    try {
      for (let i = 0; i < produced.length; i += 500) {
        await producer.send({
          topic: `${app}-events`,
          messages: produced
            .slice(i, i + 500)
            .map((x) => ({ partition: x.partition, value: JSON.stringify(x.event) })),
        });
      }
    } finally {
      await producer.disconnect();
    }

    const rules = RULES.map((r) => {
      const v = validateRule(r);
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return v.rule;
    });
    const events = produced.map((x) => x.event).sort((a, b) => (a.ts as number) - (b.ts as number));
    const expected = (await runRules(rules, events)).alerts.map((a: Alert) => a.alertId).sort();
    expect(expected.length).toBeGreaterThan(10);

    // Second run: the same application works the backlog off.
    const second = await startKafkaService(app, env, 4);
    services.push(second);
    let seen: string[] = [];
    onTestFailed(() => {
      console.error(
        `app ${app}: ${produced.length} events, expected ${expected.length} alerts, saw ${seen.length}`,
      );
    });
    await eventually(async () => {
      const alerts = (await call(`${second.url}/alerts?limit=10000`, 'GET')).body as Alert[];
      seen = alerts.map((a) => a.alertId).sort();
      return seen.length >= expected.length;
    }, 90_000);
    // A little longer: nothing beyond the expected alerts may come.
    await new Promise((r) => setTimeout(r, 1500));
    seen = ((await call(`${second.url}/alerts?limit=10000`, 'GET')).body as Alert[])
      .map((a) => a.alertId)
      .sort();
    expect(seen).toEqual(expected);
    const late = (await call(`${second.url}/metrics`, 'GET')).body as string;
    expect(late).not.toMatch(/^cep_late_events_total\{/m);
  }, 180_000);
});
