import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, type RunningService, removeServiceDirs, startService } from './service-harness.js';

// What a rule did, per rule: GET /rules/:id/stats (alerts, late events, partial matches, condition
// errors with their messages, drops over the caps, degraded health), the matching metrics, and
// late events as dead letters with reason `late` and the watermark they were behind.

const LOGIN_PAYOUT = {
  id: 'login-payout',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login"' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: 'payout for {{key}}' },
};

const FLOOD = {
  id: 'flood',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'any', condition: 'e.type == "tick"' }],
  alert: { severity: 'low', message: 'tick {{key}}' },
  limits: { maxAlertsPerKeyPerMinute: 3 },
};

describe('rule stats, late events and caps (embedded)', () => {
  let svc: RunningService;
  const now = Date.now();
  const at = (s: number) => now - 600_000 + s * 1000;

  beforeAll(async () => {
    svc = await startService({ LOAD_EXAMPLE_RULES: 'false', EVENT_OUT_OF_ORDERNESS_MS: '1000' });
    for (const r of [LOGIN_PAYOUT, FLOOD])
      expect((await call(`${svc.url}/rules`, 'POST', r)).status).toBe(201);
  });

  afterAll(async () => {
    await svc?.close();
    removeServiceDirs();
  });

  it('counts alerts, condition errors with their message, late events (dead-lettered) and drops over caps', async () => {
    // ann alerts; bob's payout has no amount (a condition error); 10 ticks for carol in one minute
    // (3 alerts, 7 dropped over the cap).
    const first = [
      { type: 'login', user: 'ann', ts: at(0) },
      { type: 'payout', user: 'ann', amount: 900, ts: at(10) },
      { type: 'login', user: 'bob', ts: at(11) },
      { type: 'payout', user: 'bob', ts: at(12) },
      ...Array.from({ length: 10 }, (_, i) => ({ type: 'tick', user: 'carol', ts: at(20) + i })),
      { type: 'noise', user: 'dan', ts: at(100) },
    ];
    expect((await call(`${svc.url}/events`, 'POST', first)).status).toBe(202);
    await eventually(
      async () => (await call(`${svc.url}/rules/login-payout/stats`, 'GET')).body.alerts === 1,
    );
    // Event time is now far past at(50): a payout for ann at at(50) reaches the rule late.
    await eventually(async () => {
      const m = await call(`${svc.url}/metrics`, 'GET');
      const wm = /^cep_watermark_seconds (\S+)$/m.exec(m.body as string)?.[1];
      return wm !== undefined && Number(wm) * 1000 >= at(90);
    });
    expect(
      (await call(`${svc.url}/events`, 'POST', [{ type: 'payout', user: 'ann', amount: 700, ts: at(50) }]))
        .status,
    ).toBe(202);

    const stats = await eventually(async () => {
      const s = (await call(`${svc.url}/rules/login-payout/stats`, 'GET')).body;
      return s.lateEvents === 1 ? s : undefined;
    });
    expect(stats).toMatchObject({ ruleId: 'login-payout', health: 'ok', alerts: 1, lateEvents: 1 });
    expect(stats.conditionErrors.count).toBeGreaterThanOrEqual(1);
    expect(stats.conditionErrors.recent[0].message).toMatch(/amount/);
    // bob's login still waits for a payout: one partial match.
    expect(stats.partialMatches).toBe(1);

    const flood = (await call(`${svc.url}/rules/flood/stats`, 'GET')).body;
    expect(flood).toMatchObject({ health: 'degraded', alerts: 3, droppedAlerts: 7 });
    expect(flood.degradedReason).toMatch(/more than 3 alerts per key per minute/);

    const dead = await eventually(async () => {
      const d = (await call(`${svc.url}/events/dead-letters`, 'GET')).body as {
        reason: string;
        payload: unknown;
      }[];
      return d.find((x) => x.reason.startsWith('late:'));
    });
    expect(dead.reason).toMatch(/^late: ts \S+ is at or behind the watermark \S+ \(rules: login-payout\)$/);
    expect(dead.payload).toMatchObject({ type: 'payout', user: 'ann', amount: 700 });

    const metrics = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    expect(metrics).toMatch(/cep_late_events_total\{rule="login-payout"\} 1/);
    expect(metrics).toMatch(/cep_rule_dropped_total\{rule="flood",kind="alerts"\} 7/);
    expect(metrics).toMatch(/cep_rule_degraded\{rule="flood"\} 1/);
  });

  it('answers 404 for an unknown rule', async () => {
    expect((await call(`${svc.url}/rules/nope/stats`, 'GET')).status).toBe(404);
  });
});

describe('rule versions (embedded)', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ LOAD_EXAMPLE_RULES: 'false' });
  });
  afterAll(async () => {
    await svc?.close();
    removeServiceDirs();
  });

  it('lists every version of a rule, newest first, deletions included; 404 for an unknown id', async () => {
    expect((await call(`${svc.url}/rules`, 'POST', LOGIN_PAYOUT)).status).toBe(201);
    expect(
      (await call(`${svc.url}/rules/login-payout/status`, 'PATCH', { status: 'paused', ifVersion: 1 }))
        .status,
    ).toBe(200);
    expect((await call(`${svc.url}/rules/login-payout?ifVersion=2`, 'DELETE')).status).toBe(204);
    const versions = (await call(`${svc.url}/rules/login-payout/versions`, 'GET')).body as {
      version: number;
      status?: string;
      deleted?: boolean;
      rule?: { version: number };
    }[];
    expect(versions.map((v) => [v.version, v.deleted === true ? 'deleted' : v.status])).toEqual([
      [3, 'deleted'],
      [2, 'paused'],
      [1, 'active'],
    ]);
    expect(versions[2]!.rule).toMatchObject({ id: 'login-payout', version: 1 });
    expect((await call(`${svc.url}/rules/nope/versions`, 'GET')).status).toBe(404);
  });
});
