import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningService, removeServiceDirs, startService, T0 } from './service-harness.js';

const KEY = 'test-key-0123456789';
const rule = {
  id: 'guarded',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'a', condition: 'e.type == "x"' }],
  alert: { severity: 'low', message: 'x for {{key}}' },
};

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ API_KEY: KEY, BODY_LIMIT: '2kb', LOAD_EXAMPLE_RULES: 'false' });
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('API key and body limits', () => {
  it('requires the API key on every mutating endpoint', async () => {
    const event = { type: 'x', ts: T0, user: 'u' };
    for (const [method, path, body] of [
      ['POST', '/rules', rule],
      ['PUT', '/rules/guarded', { ...rule, version: 2 }],
      ['PATCH', '/rules/guarded/status', { status: 'paused' }],
      ['DELETE', '/rules/guarded', undefined],
      ['POST', '/rules/validate', rule],
      ['POST', '/rules/dry-run', { rule, events: [] }],
      ['POST', '/events', event],
      ['POST', '/admin/savepoint', undefined],
    ] as const) {
      const none = await call(`${svc.url}${path}`, method, body);
      expect(none.status, `${method} ${path}`).toBe(401);
      const wrong = await call(`${svc.url}${path}`, method, body, { 'x-api-key': 'wrong-key-0123456789' });
      expect(wrong.status, `${method} ${path}`).toBe(401);
    }
    expect((await call(`${svc.url}/rules`, 'POST', rule, { 'x-api-key': KEY })).status).toBe(201);
    expect(
      (await call(`${svc.url}/events`, 'POST', { type: 'x', ts: T0, user: 'u' }, { 'x-api-key': KEY }))
        .status,
    ).toBe(202);
    expect((await call(`${svc.url}/rules`, 'GET', undefined, { 'x-api-key': KEY })).status).toBe(200);
    expect((await call(`${svc.url}/alerts`, 'GET', undefined, { 'x-api-key': KEY })).status).toBe(200);
    expect((await call(`${svc.url}/health/live`, 'GET')).status).toBe(200);
  });

  it('answers 413 to a body over BODY_LIMIT and keeps serving', async () => {
    const big = Array.from({ length: 100 }, (_, i) => ({
      type: 'x',
      ts: T0 + i,
      user: 'u',
      pad: 'p'.repeat(20),
    }));
    const r = await call(`${svc.url}/events`, 'POST', big, { 'x-api-key': KEY });
    expect(r.status).toBe(413);
    expect((await call(`${svc.url}/events`, 'POST', big.slice(0, 5), { 'x-api-key': KEY })).status).toBe(202);
  });

  it('takes a savepoint', async () => {
    const r = await call(`${svc.url}/admin/savepoint`, 'POST', undefined, { 'x-api-key': KEY });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      checkpointId: expect.any(Number),
      pointer: expect.stringContaining('savepoints'),
    });
  });
});
