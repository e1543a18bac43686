import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Alert } from '../../src/rules/index.js';
import { call, eventually, type RunningService, removeServiceDirs, T0 } from '../service/service-harness.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';

// Two replicas of the service in Kafka mode (in this process, one app each, the same application
// id, 4 partitions per topic): the consumer groups split the partitions between them; a rule
// posted to one is applied by both; concurrent writes of one version are decided by the rules
// topic's order (one 200, one 409); a replica that leaves hands its partitions, with their
// partial matches, to the other.

const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) await s.close().catch(() => {});
  removeServiceDirs();
});

const rule = (version: number, description = 'new device then payout') => ({
  id: 'device-payout',
  version,
  status: 'active',
  kind: 'pattern',
  description,
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: 'payout {{payout.amount}} for {{key}}' },
});

interface ReadyInfo {
  kafka: { router: number[]; evaluator: number[]; assigned: boolean };
}

async function assignment(svc: RunningService): Promise<ReadyInfo['kafka'] | undefined> {
  const r = await call(`${svc.url}/health/ready`, 'GET');
  return (r.body?.details?.pipeline as ReadyInfo | undefined)?.kafka;
}

async function alertsOf(svc: RunningService): Promise<Alert[]> {
  return (await call(`${svc.url}/alerts?ruleId=device-payout&limit=10000`, 'GET')).body as Alert[];
}

describe('two replicas in Kafka mode', () => {
  it('split the partitions, apply a rule posted to either, decide concurrent versions once, and fail over with state', async () => {
    const log: string[] = [];
    onTestFailed(() => console.error(`replicas test log:\n${log.join('\n')}`));
    const app = uniqueApp('rep');
    const env = { LOAD_EXAMPLE_RULES: 'false' };
    const a = await startKafkaService(app, env, 4);
    services.push(a);
    const b = await startKafkaService(app, env, 4);
    services.push(b);

    // The groups split the 4 partitions of each stage between the replicas.
    const split = await eventually(async () => {
      const [sa, sb] = [await assignment(a), await assignment(b)];
      if (sa === undefined || sb === undefined) return false;
      const routers = [...sa.router, ...sb.router].sort();
      const evaluators = [...sa.evaluator, ...sb.evaluator].sort();
      const whole = (p: number[]) => JSON.stringify(p) === '[0,1,2,3]';
      return whole(routers) && whole(evaluators) && sa.router.length > 0 && sb.router.length > 0
        ? { a: sa, b: sb }
        : false;
    }, 60_000);
    log.push(`assignment: A ${JSON.stringify(split.a)}, B ${JSON.stringify(split.b)}`);

    // A rule posted to A is known to B within a second.
    const posted = Date.now();
    expect((await call(`${a.url}/rules`, 'POST', rule(1))).status).toBe(201);
    await eventually(async () => (await call(`${b.url}/rules/device-payout`, 'GET')).status === 200, 5000);
    const propagationMs = Date.now() - posted;
    log.push(`rule visible on B ${propagationMs} ms after the POST to A returned`);
    expect(propagationMs).toBeLessThan(1000);

    // Concurrent replacements of version 1 -> 2 on both replicas: the rules topic orders them,
    // the first wins on both, the other gets 409.
    const [ra, rb] = await Promise.all([
      call(`${a.url}/rules/device-payout`, 'PUT', rule(2, 'from A')),
      call(`${b.url}/rules/device-payout`, 'PUT', rule(2, 'from B')),
    ]);
    log.push(`concurrent PUT v2: A ${ra.status}, B ${rb.status}`);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const winner = ra.status === 200 ? 'from A' : 'from B';
    for (const svc of [a, b]) {
      await eventually(async () => {
        const r = (await call(`${svc.url}/rules/device-payout`, 'GET')).body;
        return r.version === 2 && r.description === winner;
      }, 5000);
    }

    // Users 0..39: a new-device login now (partial matches spread over both replicas' tasks).
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const logins = users.map((user, i) => ({ type: 'login', user, newDevice: true, ts: T0 + i }));
    expect((await call(`${b.url}/events`, 'POST', logins)).body).toMatchObject({ accepted: 40 });

    // The open partial matches (one per user) are reported by the replicas holding them.
    await eventually(async () => {
      let sum = 0;
      for (const svc of [a, b]) {
        const m = /^cep_partial_matches\{rule="device-payout"\} (\d+)$/m.exec(
          (await call(`${svc.url}/metrics`, 'GET')).body,
        );
        sum += Number(m?.[1] ?? 0);
      }
      return sum === 40;
    }, 20_000);

    // A leaves (graceful: its tasks stop without committing the open interval, it leaves the
    // groups); B takes over every partition and restores A's partial matches from the changelogs.
    await a.close();
    await eventually(async () => {
      const s = await assignment(b);
      return s !== undefined && s.router.length === 4 && s.evaluator.length === 4;
    }, 60_000);
    log.push('B runs all partitions after A left');

    const payouts = users.map((user, i) => ({ type: 'payout', user, amount: 900, ts: T0 + 60_000 + i }));
    expect((await call(`${b.url}/events`, 'POST', payouts)).body).toMatchObject({ accepted: 40 });
    const alerts = await eventually(async () => {
      const list = await alertsOf(b);
      return list.length >= 40 ? list : false;
    }, 60_000);
    // Every user alerted exactly once, by the version in force (v2), nothing else.
    expect(alerts.map((x) => x.key).sort()).toEqual(users.map((u) => JSON.stringify([['user', u]])).sort());
    expect(new Set(alerts.map((x) => x.alertId)).size).toBe(40);
    // The router group committed every events record: lag 0 (refreshed every 5 s).
    await eventually(async () => {
      const m = (await call(`${b.url}/metrics`, 'GET')).body as string;
      return (
        m.includes(`kafka_consumer_lag_records{group="${app}-router",topic="${app}-events"} 0`) &&
        // and per partition, every partition of the events topic
        m.includes(
          `kafka_consumer_partition_lag_records{group="${app}-router",topic="${app}-events",partition="0"} 0`,
        )
      );
    }, 30_000);
    for (const x of alerts) {
      const user = (JSON.parse(x.key) as [string, string][])[0]![1];
      expect({ version: x.version, message: x.message }).toEqual({
        version: 2,
        message: `payout 900 for user=${user}`,
      });
    }
  }, 180_000);
});
