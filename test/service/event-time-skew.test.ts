import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  eventually,
  NEW_DEVICE_PAYOUT_RULE,
  type RunningService,
  removeServiceDirs,
  startService,
} from './service-harness.js';

/** The README's example rule, naming the user and ip in its alerts. */
const NEW_DEVICE_PAYOUT = {
  ...NEW_DEVICE_PAYOUT_RULE,
  alert: { ...NEW_DEVICE_PAYOUT_RULE.alert, fields: ['user', 'ip'] },
};

/** The README's example events, timestamped 10 to 6 minutes before `now`. */
function readmeEvents(now: number) {
  const at = (minutes: number) => new Date(now - 10 * 60_000 + minutes * 60_000).toISOString();
  return [
    { type: 'login', user: 'ann', newDevice: true, ip: '203.0.113.9', ts: at(0) },
    { type: 'login', user: 'bob', newDevice: false, ip: '198.51.100.7', ts: at(0.5) },
    { type: 'payout', user: 'ann', amount: 900, ts: at(3) },
    { type: 'payout', user: 'bob', amount: 900, ts: at(4) },
  ];
}

describe('timestamps that cannot stop time (embedded)', () => {
  let svc: RunningService;

  beforeAll(async () => {
    svc = await startService({ LOAD_EXAMPLE_RULES: 'false' });
    expect((await call(`${svc.url}/rules`, 'POST', NEW_DEVICE_PAYOUT)).status).toBe(201);
  });

  afterAll(async () => {
    await svc?.close();
    removeServiceDirs();
  });

  it('dead-letters an event dated 2100, and the current events after it still alert', async () => {
    const future = await call(`${svc.url}/events`, 'POST', { type: 'heartbeat', ts: '2100-01-01T00:00:00Z' });
    expect(future.status).toBe(202);
    expect(future.body).toEqual({
      accepted: 0,
      deadLettered: 1,
      deadLetters: [
        { index: 0, reason: 'ts is 2100-01-01T00:00:00.000Z, more than 300000 ms ahead of the wall clock' },
      ],
    });
    const dl = (await call(`${svc.url}/events/dead-letters?limit=1`, 'GET')).body;
    expect(dl[0]).toMatchObject({
      source: 'http',
      reason: 'ts is 2100-01-01T00:00:00.000Z, more than 300000 ms ahead of the wall clock',
      payload: { type: 'heartbeat', ts: '2100-01-01T00:00:00Z' },
    });

    const now = Date.now();
    const r = await call(`${svc.url}/events`, 'POST', readmeEvents(now));
    expect(r.body).toEqual({ accepted: 4, deadLettered: 0, deadLetters: [] });
    const alerts = await eventually(async () => {
      const a = (await call(`${svc.url}/alerts?ruleId=new-device-payout`, 'GET')).body as any[];
      return a.length > 0 && a;
    }, 15_000);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ key: JSON.stringify([['user', 'ann']]), fields: { user: 'ann' } });
  });

  it('refuses impossible calendar dates instead of rolling them over', async () => {
    const r = await call(`${svc.url}/events`, 'POST', [
      { type: 'x', ts: '2026-02-30T10:00:00Z' },
      { type: 'x', ts: '2026-13-01T10:00:00Z' },
      { type: 'x', ts: '2026-01-01T24:00:01Z' },
      { type: 'x', ts: new Date(Date.now() + 60_000).toISOString() },
    ]);
    expect(r.body.accepted).toBe(1);
    expect(r.body.deadLetters.map((d: { index: number }) => d.index)).toEqual([0, 1, 2]);
    for (const d of r.body.deadLetters) expect(d.reason).toMatch(/is not a time on the calendar/);
  });
});

describe('MAX_EVENT_TIME_SKEW_MS', () => {
  afterAll(() => removeServiceDirs());

  it('0 turns the limit off; another value sets it', async () => {
    const off = await startService({ LOAD_EXAMPLE_RULES: 'false', MAX_EVENT_TIME_SKEW_MS: '0' });
    try {
      const r = await call(`${off.url}/events`, 'POST', { type: 'heartbeat', ts: '2100-01-01T00:00:00Z' });
      expect(r.body).toMatchObject({ accepted: 1, deadLettered: 0 });
    } finally {
      await off.close();
    }
    const tight = await startService({ LOAD_EXAMPLE_RULES: 'false', MAX_EVENT_TIME_SKEW_MS: '1000' });
    try {
      const r = await call(`${tight.url}/events`, 'POST', [
        { type: 'x', ts: Date.now() + 60_000 },
        { type: 'x', ts: Date.now() - 60_000 },
      ]);
      expect(r.body).toMatchObject({ accepted: 1, deadLettered: 1 });
      expect(r.body.deadLetters[0].reason).toMatch(/^ts is .*, more than 1000 ms ahead of the wall clock$/);
    } finally {
      await tight.close();
    }
  });
});
