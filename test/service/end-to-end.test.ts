import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  startService,
  T0,
} from './service-harness.js';

/** Collects `alert` events from GET /alerts/stream until closed. */
function subscribe(url: string): { alerts: any[]; ready: Promise<void>; close: () => void } {
  const alerts: any[] = [];
  const controller = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  void (async () => {
    try {
      const res = await fetch(`${url}/alerts/stream`, {
        signal: controller.signal,
        headers: { accept: 'text/event-stream' },
      });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      markReady();
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (/^event: ?alert$/m.test(frame) && data.length > 0) alerts.push(JSON.parse(data));
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return { alerts, ready, close: () => controller.abort() };
}

const rule = {
  id: 'three-declines-then-approve',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['card'],
  stages: [
    {
      name: 'declined',
      condition: 'e.type == "auth" && e.result == "declined"',
      quantifier: { type: 'times', from: 3 },
    },
    { name: 'approved', contiguity: 'followedBy', condition: 'e.type == "auth" && e.result == "approved"' },
  ],
  within: 'PT1M',
  skip: 'skipPastLastEvent',
  alert: { severity: 'high', message: '{{declined}} declines then an approval on {{key}}', fields: ['card'] },
};

const auth = (card: string, result: string, s: number) => ({
  type: 'auth',
  card,
  result,
  ts: T0 + s * 1000,
  id: `${card}-${s}`,
});

let svc: RunningService;
beforeAll(async () => {
  svc = await startService({ LOAD_EXAMPLE_RULES: 'false' });
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('end to end over HTTP', () => {
  it('alerts on events that match a new rule, not on those that do not, over GET /alerts and SSE', async () => {
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(201);
    const sse = subscribe(svc.url);
    await sse.ready;
    const events = [
      // card A: 3 declines then an approval within a minute -> alert
      auth('A', 'declined', 1),
      auth('A', 'declined', 2),
      auth('A', 'declined', 3),
      auth('A', 'approved', 4),
      // card B: 2 declines then an approval -> no alert
      auth('B', 'declined', 1),
      auth('B', 'declined', 2),
      auth('B', 'approved', 5),
      // card C: 3 declines, approval too late (more than a minute after the first) -> no alert
      auth('C', 'declined', 1),
      auth('C', 'declined', 2),
      auth('C', 'declined', 3),
      auth('C', 'approved', 100),
    ];
    const r = await call(`${svc.url}/events`, 'POST', events);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: events.length, deadLettered: 0, deadLetters: [] });

    const alerts = await eventually(async () => {
      const a = await call(`${svc.url}/alerts?ruleId=${rule.id}`, 'GET');
      return a.body.length > 0 ? (a.body as any[]) : undefined;
    });
    await new Promise((res) => setTimeout(res, 600)); // give any wrong extra alert time to show up
    const all = (await call(`${svc.url}/alerts`, 'GET')).body as any[];
    expect(all).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: rule.id,
      version: 1,
      kind: 'match',
      severity: 'high',
      message: '3 declines then an approval on card=A',
      eventTimeStart: T0 + 1000,
      eventTimeEnd: T0 + 4000,
    });
    expect(alerts[0].key).toContain('"A"');
    expect(alerts[0].stages.declined).toHaveLength(3);

    await eventually(async () => sse.alerts.length > 0);
    expect(sse.alerts[0].alertId).toBe(alerts[0].alertId);
    sse.close();

    expect((await call(`${svc.url}/alerts?key=nope`, 'GET')).body).toEqual([]);
    expect((await call(`${svc.url}/alerts?to=${T0}`, 'GET')).body).toEqual([]);
    expect((await call(`${svc.url}/alerts?from=2026-01-01T00:00:00Z&limit=1`, 'GET')).body).toHaveLength(1);
    expect((await call(`${svc.url}/alerts?from=yesterday`, 'GET')).status).toBe(400);
  });

  it('dead-letters malformed events while processing the valid ones of the same batch', async () => {
    const batch = [
      auth('D', 'declined', 201),
      { type: 'auth', card: 'D' }, // no ts
      'not an object',
      auth('D', 'declined', 202),
      { type: '', ts: T0 },
      auth('D', 'declined', 203),
      { type: 'auth', ts: -5 },
      auth('D', 'approved', 204),
    ];
    const r = await call(`${svc.url}/events`, 'POST', batch);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(4);
    expect(r.body.deadLettered).toBe(4);
    expect(r.body.deadLetters.map((d: { index: number }) => d.index)).toEqual([1, 2, 4, 6]);
    await eventually(async () => {
      const a = await call(`${svc.url}/alerts?ruleId=${rule.id}`, 'GET');
      return a.body.some((x: { key: string }) => x.key.includes('"D"'));
    });
    const dl = await call(`${svc.url}/events/dead-letters`, 'GET');
    expect(dl.body).toHaveLength(4);
    expect(dl.body[0]).toMatchObject({ source: 'http', reason: expect.any(String) });
    const single = await call(`${svc.url}/events`, 'POST', {
      type: 'auth',
      card: 'E',
      result: 'declined',
      ts: '2026-01-01T00:10:00Z',
    });
    expect(single.body).toMatchObject({ accepted: 1, deadLettered: 0 });
  });

  // Event time is at T0 + 600 s after the previous test (its last event): later events only.
  it('a paused rule stops alerting; resuming it alerts again', async () => {
    expect((await call(`${svc.url}/rules/${rule.id}/status`, 'PATCH', { status: 'paused' })).status).toBe(
      200,
    );
    const before = (await call(`${svc.url}/alerts`, 'GET')).body.length;
    await call(
      `${svc.url}/events`,
      'POST',
      [700, 701, 702].map((s) => auth('F', 'declined', s)).concat(auth('F', 'approved', 703)),
    );
    await new Promise((res) => setTimeout(res, 800));
    expect((await call(`${svc.url}/alerts`, 'GET')).body.length).toBe(before);
    expect((await call(`${svc.url}/rules/${rule.id}/status`, 'PATCH', { status: 'active' })).status).toBe(
      200,
    );
    await call(
      `${svc.url}/events`,
      'POST',
      [800, 801, 802].map((s) => auth('G', 'declined', s)).concat(auth('G', 'approved', 803)),
    );
    await eventually(async () =>
      (await call(`${svc.url}/alerts?ruleId=${rule.id}`, 'GET')).body.some((x: { key: string }) =>
        x.key.includes('"G"'),
      ),
    );
    expect(
      (await call(`${svc.url}/alerts`, 'GET')).body.some((x: { key: string }) => x.key.includes('"F"')),
    ).toBe(false);
  });

  it('runs threshold rules (the transfer-velocity example) on the core windows', async () => {
    const rule = {
      id: 'big-transfers',
      version: 1,
      status: 'active',
      kind: 'threshold',
      key: ['account'],
      aggregate: 'sum',
      field: 'amount',
      filter: 'e.type == "transfer"',
      window: { type: 'tumbling', size: 'PT1H' },
      compare: { op: '>', value: 10000 },
      alert: { severity: 'medium', message: '{{value}} from {{key}}', fields: ['account'] },
    };
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(201);
    const h = T0 + 10 * 3600_000; // after every earlier event of this file
    const transfers = [
      { type: 'transfer', account: 'acc-1', amount: 6000, ts: h + 1000 },
      { type: 'transfer', account: 'acc-1', amount: 5000, ts: h + 2000 },
      { type: 'transfer', account: 'acc-2', amount: 9000, ts: h + 3000 },
      { type: 'transfer', account: 'acc-2', amount: 900, ts: h + 4000 },
      // closes the window (event time moves past its end)
      { type: 'heartbeat', ts: h + 3600_000 + 5000 },
    ];
    expect((await call(`${svc.url}/events`, 'POST', transfers)).body.accepted).toBe(5);
    const alerts = await eventually(async () => {
      const a = (await call(`${svc.url}/alerts?ruleId=big-transfers`, 'GET')).body as any[];
      return a.length > 0 ? a : undefined;
    });
    await new Promise((res) => setTimeout(res, 600));
    expect((await call(`${svc.url}/alerts?ruleId=big-transfers`, 'GET')).body).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'threshold',
      value: 11000,
      count: 2,
      fields: { account: 'acc-1' },
    });
  });
});
