import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awaitCanary,
  CANARY_RULE,
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  startService,
  T0,
} from './service-harness.js';

// Hostile input through the real service: bodies over the limit, deeply nested events, conditions
// reaching for prototypes, and conditions that fail at run time.

const base = {
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  alert: { severity: 'low', message: 'hit for {{key}}' },
};

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({
    LOAD_EXAMPLE_RULES: 'false',
    BODY_LIMIT: '64kb',
    CHECKPOINT_INTERVAL_MS: '100',
  });
  expect((await call(`${svc.url}/rules`, 'POST', CANARY_RULE)).status).toBe(201);
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

const alive = async (): Promise<void> => {
  expect((await call(`${svc.url}/health/live`, 'GET')).status).toBe(200);
  expect((await call(`${svc.url}/health/ready`, 'GET')).body.details.pipeline.state).toBe('running');
};

describe('hostile input', () => {
  it('answers 413 to bodies over BODY_LIMIT on every JSON endpoint', async () => {
    const pad = 'p'.repeat(70 * 1024);
    for (const [path, body] of [
      ['/events', [{ type: 'x', ts: T0, pad }]],
      ['/rules', { ...base, id: 'big', description: pad, stages: [{ name: 'a', condition: 'true' }] }],
      ['/rules/validate', { id: 'big', pad }],
      ['/rules/dry-run', { ruleId: 'canary', events: [{ type: 'x', ts: T0, pad }] }],
    ] as const) {
      expect((await call(`${svc.url}${path}`, 'POST', body)).status, path).toBe(413);
    }
    expect((await call(`${svc.url}/rules/big`, 'GET')).status).toBe(404);
    await alive();
  });

  it('dead-letters a 1000-level nested event (and survives a 30000-level body) without crashing', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1000; i++) deep = { d: deep };
    const r = await call(`${svc.url}/events`, 'POST', [
      { type: 'nested', user: 'n', ts: T0 + 1000, payload: deep },
      { type: 'fine', user: 'n', ts: T0 + 1001 },
    ]);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 1,
      deadLettered: 1,
      deadLetters: [{ index: 0, reason: expect.stringMatching(/nests deeper than \d+ levels/) }],
    });
    const dl = await call(`${svc.url}/events/dead-letters?limit=1`, 'GET');
    expect(dl.status).toBe(200);
    expect(dl.body[0].reason).toMatch(/nests deeper/);

    // Nesting as deep as the body limit allows, as raw text (an array of arrays, then objects).
    const arrays = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const rawArrays = await call(`${svc.url}/events`, 'POST', arrays);
    expect([202, 400]).toContain(rawArrays.status);
    if (rawArrays.status === 202) expect(rawArrays.body.accepted).toBe(0);
    const objects = `{"type":"nested","ts":${T0 + 2000},"d":${'{"d":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const rawObjects = await call(`${svc.url}/events`, 'POST', objects);
    expect([202, 400]).toContain(rawObjects.status);
    if (rawObjects.status === 202) expect(rawObjects.body).toMatchObject({ accepted: 0, deadLettered: 1 });
    expect((await call(`${svc.url}/events/dead-letters`, 'GET')).status).toBe(200);
    await alive();
    expect((await call(`${svc.url}/events`, 'POST', { type: 'fine', user: 'n', ts: T0 + 3000 })).status).toBe(
      202,
    );
  });

  it('rejects prototype access in conditions with 400 and the JSON path of the condition', async () => {
    const hostile = [
      'e.__proto__ == null',
      'e.constructor == null',
      'e.prototype == null',
      'e["__proto__"] == null',
      "e['constructor'] == null",
      'has(e.__proto__)',
      'e.a.__proto__.b == 1',
      'e.constructor.constructor("return process")() == 1',
      'matched.__proto__ == null',
    ];
    for (const condition of hostile) {
      const r = await call(`${svc.url}/rules`, 'POST', {
        ...base,
        id: 'hostile',
        stages: [
          { name: 'ok', condition: 'e.type == "x"' },
          { name: 'bad', contiguity: 'followedBy', condition },
        ],
      });
      expect(r.status, condition).toBe(400);
      expect(r.body.errors, condition).toEqual([
        { path: '/stages/1/condition', message: expect.any(String) },
      ]);
    }
    const threshold = await call(`${svc.url}/rules`, 'POST', {
      ...base,
      id: 'hostile-threshold',
      kind: 'threshold',
      aggregate: 'count',
      filter: 'e.constructor == null',
      window: { type: 'tumbling', size: 'PT1M' },
      compare: { op: '>', value: 1 },
    });
    expect(threshold.status).toBe(400);
    expect(threshold.body.errors).toEqual([{ path: '/filter', message: expect.any(String) }]);
    const dry = await call(`${svc.url}/rules/dry-run`, 'POST', {
      rule: { ...base, id: 'hostile-dry', stages: [{ name: 'a', condition: 'e.__proto__ == null' }] },
      events: [],
    });
    expect(dry.status).toBe(400);
    expect(dry.body.errors[0].path).toBe('/rule/stages/0/condition');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call(`${svc.url}/rules`, 'GET')).body.map((r: { id: string }) => r.id)).toEqual(['canary']);
  });

  it('counts a condition failing at run time (missing field, wrong type) as false, in cep_condition_errors_total', async () => {
    const rule = {
      ...base,
      id: 'needs-amount',
      stages: [{ name: 'big', condition: 'e.type == "pay" && e.amount > 100.0' }],
    };
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(201);
    // Wait until the rule is in force: a matching event alerts.
    let t = T0 + 10_000;
    const tick = (): number => {
      t += 1000;
      return t;
    };
    await eventually(async () => {
      await call(`${svc.url}/events`, 'POST', { type: 'pay', user: 'warm', amount: 500, ts: tick() });
      return (await call(`${svc.url}/alerts?ruleId=needs-amount`, 'GET')).body.length > 0;
    });
    const r = await call(`${svc.url}/events`, 'POST', [
      { type: 'pay', user: 'm1', ts: tick() }, // no amount
      { type: 'pay', user: 'm2', amount: 'lots', ts: tick() }, // a string, not a number
      { type: 'pay', user: 'm3', amount: 900, ts: tick() }, // matches
      { type: 'other', user: 'm4', ts: tick() }, // short-circuits on type: no error
    ]);
    expect(r.body).toMatchObject({ accepted: 4, deadLettered: 0 });
    await awaitCanary(svc.url, 'errors', tick());
    const alerts = (await call(`${svc.url}/alerts?ruleId=needs-amount&limit=1000`, 'GET')).body as {
      key: string;
    }[];
    expect(alerts.map((a) => a.key).filter((k) => !k.includes('"warm"'))).toEqual(['[["user","m3"]]']);
    const metrics = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    expect(metrics).toContain('# TYPE cep_condition_errors_total counter');
    expect(metrics).toMatch(/^cep_condition_errors_total\{rule="needs-amount"\} 2$/m);
    expect(metrics).not.toMatch(/^cep_condition_errors_total\{rule="canary"\}/m);
    // A counter: the same count at the next scrape, not added again.
    const again = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    expect(again).toMatch(/^cep_condition_errors_total\{rule="needs-amount"\} 2$/m);
    await alive();
  });
});
