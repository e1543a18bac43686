import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningService, removeServiceDirs, startService, T0 } from './service-harness.js';

// Validation warnings over HTTP (issue 14, "no silent failures" and "bounded output"): returned by
// POST /rules/validate, POST /rules (201), PUT /rules/:id and dry runs, never stored; dry-run
// errors labelled by what was wrong; reserved names named in every path.

const rule = {
  id: 'typo-payout',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login"' },
    { name: 'payout', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  alert: { severity: 'high', message: 'payout of {{payot.amount}} for {{key}}', fields: ['user'] },
};
const TYPO = {
  path: '/alert/message',
  message: expect.stringMatching(
    /^placeholder \{\{payot\.amount\}\} names no stage.*did you mean \{\{payout\.amount\}\}\?$/,
  ),
};

const threshold = {
  id: 'string-amounts',
  version: 1,
  status: 'active',
  kind: 'threshold',
  key: ['account'],
  alert: { severity: 'medium', message: '{{value}} transferred from {{key}}' },
  aggregate: 'sum',
  field: 'amount',
  filter: 'e.type == "transfer"',
  window: { type: 'tumbling', size: 'PT1H' },
  compare: { op: '>', value: 10 },
};

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ LOAD_EXAMPLE_RULES: 'false' });
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('rule warnings over HTTP', () => {
  it('POST /rules/validate answers { valid: true, warnings } for a template typo, no warnings key for a clean rule', async () => {
    const typo = await call(`${svc.url}/rules/validate`, 'POST', rule);
    expect(typo).toMatchObject({ status: 200, body: { valid: true, warnings: [TYPO] } });
    const clean = await call(`${svc.url}/rules/validate`, 'POST', {
      ...rule,
      alert: { ...rule.alert, message: 'payout of {{payout.amount}} for {{key}}' },
    });
    expect(clean.status).toBe(200);
    expect(clean.body).toEqual({ valid: true });
  });

  it('POST /rules and PUT /rules/:id carry the warnings in their body; they are not stored', async () => {
    const created = await call(`${svc.url}/rules`, 'POST', rule);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...rule, warnings: [TYPO] });
    const stored = await call(`${svc.url}/rules/typo-payout`, 'GET');
    expect(stored.body).toEqual(rule);
    const flooding = {
      ...rule,
      version: 2,
      alert: { ...rule.alert, message: 'payout of {{payout.amount}}' },
      stages: [
        ...rule.stages,
        {
          group: [
            { name: 'a', condition: 'true' },
            { name: 'b', condition: 'true' },
          ],
          quantifier: { type: 'oneOrMore' },
        },
      ],
    };
    const replaced = await call(`${svc.url}/rules/typo-payout`, 'PUT', flooding);
    expect(replaced.status).toBe(200);
    expect(replaced.body.warnings).toEqual([
      {
        path: '/stages/2/quantifier',
        message: expect.stringMatching(
          /^group \/stages\/2 \(stages "a", "b"\) loops \(oneOrMore\) and none of its stages tests the event/,
        ),
      },
    ]);
    expect((await call(`${svc.url}/rules/typo-payout`, 'GET')).body.warnings).toBeUndefined();
  });

  it('dry-run checks placeholders and fields against the sample events', async () => {
    const events = [
      { type: 'login', user: 'ann', ts: T0 + 1000 },
      { type: 'payout', user: 'ann', amount: 900, ts: T0 + 2000 },
    ];
    const r = await call(`${svc.url}/rules/dry-run`, 'POST', {
      rule: {
        ...rule,
        id: 'fields-draft',
        alert: { severity: 'high', message: '{{payout.amount}} {{payout.ip}}', fields: ['user', 'ip'] },
      },
      events,
    });
    expect(r.status).toBe(200);
    expect(r.body.alertCount).toBe(1);
    expect(r.body.warnings).toEqual([
      {
        path: '/alert/message',
        message:
          'placeholder {{payout.ip}}: no example event has a field "ip", so it renders empty for stage "payout"',
      },
      { path: '/alert/fields/1', message: 'no example event has a field "ip": the alert will not carry it' },
    ]);
  });

  it('dry-run of a threshold over string amounts: a warning, and condition errors with the message, path and event', async () => {
    const events = [
      { type: 'transfer', account: 'a1', amount: '12.50', ts: T0 + 1000 },
      { type: 'transfer', account: 'a1', amount: 5, ts: T0 + 2000 },
      { type: 'transfer', account: 'a1', amount: '7', ts: T0 + 3000 },
      { type: 'login', account: 'a1', amount: 'n/a', ts: T0 + 4000 },
    ];
    const r = await call(`${svc.url}/rules/dry-run`, 'POST', { rule: threshold, events });
    expect(r.status).toBe(200);
    expect(r.body.alertCount).toBe(0); // 5 is not > 10: the strings were skipped
    expect(r.body.warnings).toEqual([
      {
        path: '/field',
        message: expect.stringMatching(
          /^2 of the example events passing the filter carry "amount" as something else than a number/,
        ),
      },
    ]);
    expect(r.body.conditionErrors).toBe(2);
    expect(r.body.conditionErrorDetails).toEqual([
      { path: '/field', message: 'field amount is a string, not a number', count: 2, eventIndex: 0 },
    ]);
  });
});

describe('dry-run error labels and reserved names', () => {
  it('labels a 400 by what was wrong: the request, the rule or the events', async () => {
    const cases: [unknown, string, string][] = [
      [[], 'invalid dry-run request', ''],
      [{ events: [] }, 'invalid dry-run request', ''],
      [{ rule: { ...rule, key: 'user' }, events: [] }, 'invalid rule', '/rule/key'],
      [{ rule, events: {} }, 'invalid events', '/events'],
      [{ rule, events: Array.from({ length: 10_001 }, () => ({})) }, 'invalid events', '/events'],
    ];
    for (const [body, label, path] of cases) {
      const r = await call(`${svc.url}/rules/dry-run`, 'POST', body);
      expect(r.status, label).toBe(400);
      expect(r.body.message, JSON.stringify(body).slice(0, 60)).toBe(label);
      expect(r.body.errors[0].path).toBe(path);
    }
  });

  it('names a reserved field name in dry-run errors too (no "must NOT be valid")', async () => {
    const r = await call(`${svc.url}/rules/dry-run`, 'POST', {
      rule: { ...rule, key: ['__proto__'] },
      events: [],
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      message: 'invalid rule',
      errors: [
        {
          path: '/rule/key/0',
          message:
            'field name "__proto__" is not allowed (__proto__, constructor and prototype are reserved)',
        },
      ],
    });
    expect(JSON.stringify(r.body)).not.toContain('must NOT be valid');
  });
});
