import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningService, removeServiceDirs, startService, T0 } from './service-harness.js';

const repo = join(import.meta.dirname, '../..');
const example = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repo, 'rules', `${name}.json`), 'utf8')) as Record<string, unknown>;

const rule = {
  id: 'big-payment',
  version: 1,
  status: 'active',
  kind: 'pattern',
  description: 'a payment above 1000',
  key: ['card'],
  stages: [{ name: 'big', condition: 'e.type == "payment" && e.amount > 1000.0' }],
  alert: { severity: 'medium', message: 'big payment on {{key}}', fields: ['card'] },
};

let svc: RunningService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('rules API', () => {
  it('loads the example rules into an empty store on first start', async () => {
    const r = await call(`${svc.url}/rules`, 'GET');
    expect(r.status).toBe(200);
    const ids = (r.body as { id: string }[]).map((x) => x.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'card-testing',
        'failed-logins-then-success',
        'transfer-velocity',
        'dormant-account',
      ]),
    );
  });

  it('creates, reads, replaces (409 on a stale version), pauses and deletes a rule', async () => {
    const created = await call(`${svc.url}/rules`, 'POST', rule);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'big-payment', version: 1 });
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(409);

    const got = await call(`${svc.url}/rules/big-payment`, 'GET');
    expect(got.status).toBe(200);
    expect(got.body.stages[0].condition).toBe(rule.stages[0]!.condition);

    const stale = await call(`${svc.url}/rules/big-payment`, 'PUT', { ...rule, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(1);
    expect((await call(`${svc.url}/rules/big-payment`, 'PUT', { ...rule, version: 3 })).status).toBe(409);
    const replaced = await call(`${svc.url}/rules/big-payment`, 'PUT', {
      ...rule,
      version: 2,
      description: 'v2',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ version: 2, description: 'v2' });
    const wrongId = await call(`${svc.url}/rules/big-payment`, 'PUT', { ...rule, id: 'other', version: 3 });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.errors[0].path).toBe('/id');

    const paused = await call(`${svc.url}/rules/big-payment/status`, 'PATCH', { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ version: 3, status: 'paused' });
    expect(
      (await call(`${svc.url}/rules?status=paused`, 'GET')).body.map((r: { id: string }) => r.id),
    ).toEqual(['big-payment']);
    expect(
      (await call(`${svc.url}/rules/big-payment/status`, 'PATCH', { status: 'paused', ifVersion: 2 })).status,
    ).toBe(409);
    expect((await call(`${svc.url}/rules/big-payment/status`, 'PATCH', { status: 'gone' })).status).toBe(400);

    expect((await call(`${svc.url}/rules/big-payment?ifVersion=1`, 'DELETE')).status).toBe(409);
    expect((await call(`${svc.url}/rules/big-payment`, 'DELETE')).status).toBe(204);
    expect((await call(`${svc.url}/rules/big-payment`, 'GET')).status).toBe(404);
    expect((await call(`${svc.url}/rules/big-payment`, 'DELETE')).status).toBe(404);
    // Deleted at version 4: recreating needs a higher version, so an old version cannot come back.
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(409);
    expect((await call(`${svc.url}/rules`, 'POST', { ...rule, version: 5 })).status).toBe(201);
  });

  it('answers 400 with JSON paths for an invalid rule, and validates without saving', async () => {
    const bad = {
      ...rule,
      id: 'bad-rule',
      stages: [
        { name: 'a', condition: 'e.amount +' },
        { name: 'b', quantifier: { type: 'times', from: 'x' } },
      ],
    };
    const r = await call(`${svc.url}/rules`, 'POST', bad);
    expect(r.status).toBe(400);
    expect(r.body.errors.length).toBeGreaterThan(0);
    for (const e of r.body.errors)
      expect(e).toEqual({ path: expect.stringMatching(/^\/stages\/1/), message: expect.any(String) });
    const cond = await call(`${svc.url}/rules`, 'POST', {
      ...rule,
      id: 'bad-cond',
      stages: [{ name: 'a', condition: 'e.amount +' }],
    });
    expect(cond.status).toBe(400);
    expect(cond.body.errors).toEqual([{ path: '/stages/0/condition', message: expect.any(String) }]);

    const invalid = await call(`${svc.url}/rules/validate`, 'POST', bad);
    expect(invalid.status).toBe(200);
    expect(invalid.body.valid).toBe(false);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    const valid = await call(`${svc.url}/rules/validate`, 'POST', { ...rule, id: 'only-validated' });
    expect(valid.body).toEqual({ valid: true });
    expect((await call(`${svc.url}/rules/only-validated`, 'GET')).status).toBe(404);
    expect((await call(`${svc.url}/rules`, 'POST', 'not json{')).status).toBe(400);
  });

  it('rejects hostile conditions and documents (400)', async () => {
    for (const condition of [
      'e.__proto__.polluted == true',
      'e.constructor.constructor("return process")() == 1',
      `${'('.repeat(200)}true${')'.repeat(200)}`,
    ]) {
      const r = await call(`${svc.url}/rules`, 'POST', {
        ...rule,
        id: 'hostile',
        stages: [{ name: 'a', condition }],
      });
      expect(r.status, condition.slice(0, 40)).toBe(400);
      expect(r.body.errors[0].path).toMatch(/^\/stages\/0\/condition|^$/);
    }
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { d: deep };
    const r = await call(`${svc.url}/rules`, 'POST', { ...rule, id: 'deep', description: deep });
    expect(r.status).toBe(400);
    expect((await call(`${svc.url}/rules/hostile`, 'GET')).status).toBe(404);
  });

  it('dry-runs a stored example rule and a posted rule over sample events', async () => {
    const events = [
      ...[1, 2, 3].map((i) => ({ type: 'payment', ts: T0 + i * 1000, card: 'c1', amount: 1 })),
      { type: 'payment', ts: T0 + 5000, card: 'c1', amount: 900 },
      { type: 'payment', ts: T0 + 6000, card: 'c2', amount: 900 },
      { no: 'type' },
    ];
    const stored = await call(`${svc.url}/rules/dry-run`, 'POST', { ruleId: 'card-testing', events });
    expect(stored.status).toBe(200);
    expect(stored.body.rule).toEqual({ id: 'card-testing', version: 1 });
    expect(stored.body.alerts).toHaveLength(1);
    expect(stored.body.alerts[0]).toMatchObject({ ruleId: 'card-testing', kind: 'match' });
    expect(stored.body.alerts[0].key).toContain('c1');
    expect(stored.body.invalidEvents).toEqual([{ index: 5, reason: expect.any(String) }]);

    const posted = await call(`${svc.url}/rules/dry-run`, 'POST', {
      rule: { ...example('card-testing'), id: 'card-testing-draft' },
      events: events.slice(0, 3),
    });
    expect(posted.status).toBe(200);
    expect(posted.body.alerts).toEqual([]);
    const bad = await call(`${svc.url}/rules/dry-run`, 'POST', { rule: { ...rule, key: 'x' }, events: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toMatch(/^\/rule\/key/);
    expect((await call(`${svc.url}/rules/dry-run`, 'POST', { ruleId: 'nope', events: [] })).status).toBe(404);
  });
});
