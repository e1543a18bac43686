import { request } from 'node:http';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEntry } from '../../src/service/alerts/alert-feed.js';
import type { AlertHub } from '../../src/service/alerts/alert-hub.js';
import { AlertStream, type SseResponse } from '../../src/service/alerts/alert-stream.js';
import {
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  startService,
  T0,
} from './service-harness.js';

// GET /alerts/stream over a real socket (node:http): every alert carries its position in the
// alerts topic as the SSE id, and a client reconnecting with Last-Event-ID (or ?since=) gets
// exactly what it missed, then live alerts.

interface Frame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
}

/** An SSE client on node:http: collects the frames until the server ends or `close()`. */
function sse(
  url: string,
  headers: Record<string, string> = {},
): { frames: Frame[]; status: Promise<number>; ended: Promise<void>; close: () => void } {
  const frames: Frame[] = [];
  let setStatus!: (s: number) => void;
  let setEnded!: () => void;
  const status = new Promise<number>((r) => {
    setStatus = r;
  });
  const ended = new Promise<void>((r) => {
    setEnded = r;
  });
  const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
    setStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          frame[field] = frame[field] === undefined ? value : `${frame[field]}\n${value}`;
        }
        if (Object.keys(frame).length > 0) frames.push(frame);
      }
    });
    res.on('end', () => setEnded());
    res.on('close', () => setEnded());
  });
  req.on('error', () => setEnded());
  req.end();
  return { frames, status, ended, close: () => req.destroy() };
}

const alertsOf = (frames: readonly Frame[]): { id: string; n: number }[] =>
  frames
    .filter((f) => f.event === 'alert')
    .map((f) => ({ id: f.id!, n: (JSON.parse(f.data!) as { fields: { n: number } }).fields.n }));

const EVERY_HIT = {
  id: 'every-hit',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['n'],
  stages: [{ name: 'h', condition: 'e.type == "hit"' }],
  alert: { severity: 'low', message: 'hit {{key}}', fields: ['n'] },
} as const;

let svc: RunningService;
let ts = T0;
/** Posts hits n = from..to, one alert each. */
async function hits(from: number, to: number): Promise<void> {
  const events = [];
  for (let n = from; n <= to; n++) {
    ts += 1000;
    events.push({ type: 'hit', n, ts });
  }
  const r = await call(`${svc.url}/events`, 'POST', events);
  expect(r.body.accepted).toBe(events.length);
}
/** Waits until GET /alerts shows the alert of hit `n`. */
async function visible(n: number): Promise<void> {
  await eventually(async () =>
    (
      (await call(`${svc.url}/alerts?ruleId=every-hit&limit=1000`, 'GET')).body as { fields: { n: number } }[]
    ).some((a) => a.fields.n === n),
  );
}
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

beforeAll(async () => {
  svc = await startService({
    LOAD_EXAMPLE_RULES: 'false',
    CHECKPOINT_INTERVAL_MS: '100',
    IDLE_FLUSH_MS: '100',
  });
  expect((await call(`${svc.url}/rules`, 'POST', EVERY_HIT)).status).toBe(201);
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('GET /alerts/stream resumes after Last-Event-ID', () => {
  it('gives a reconnecting client exactly the alerts it missed, none twice, then live ones', async () => {
    const first = sse(`${svc.url}/alerts/stream`);
    expect(await first.status).toBe(200);
    await hits(1, 5);
    await eventually(async () => alertsOf(first.frames).length >= 5);
    first.close();
    await first.ended;
    const seen = alertsOf(first.frames);
    expect(seen.map((a) => a.n).sort((a, b) => a - b)).toEqual(range(1, 5));
    // Ids are positions in the alerts topic: increasing.
    const ids = seen.map((a) => Number(a.id));
    expect(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1]!))).toBe(true);
    const lastId = seen.at(-1)!.id;

    // Missed while disconnected.
    await hits(6, 10);
    await visible(10);

    const second = sse(`${svc.url}/alerts/stream`, { 'last-event-id': lastId });
    expect(await second.status).toBe(200);
    await eventually(async () => alertsOf(second.frames).length >= 5);
    await hits(11, 12);
    await eventually(async () => alertsOf(second.frames).length >= 7);
    await visible(12);
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up by now
    second.close();
    const resumed = alertsOf(second.frames);
    expect(resumed.map((a) => a.n)).toEqual(range(6, 12));
    expect(new Set(resumed.map((a) => a.id)).size).toBe(resumed.length);
    expect(second.frames.some((f) => f.event === 'gap')).toBe(false);
    expect(Number(resumed[0]!.id)).toBeGreaterThan(Number(lastId));

    // ?since= does the same, and the ruleId filter applies to what is resent.
    const since = sse(`${svc.url}/alerts/stream?since=${seen[1]!.id}&ruleId=every-hit`);
    await eventually(async () => alertsOf(since.frames).length >= 10);
    await new Promise((r) => setTimeout(r, 200));
    since.close();
    expect(alertsOf(since.frames).map((a) => a.n)).toEqual(range(3, 12));
  });

  it('says so with an event: gap when the position is unknown, then sends what it holds', async () => {
    const s = sse(`${svc.url}/alerts/stream`, { 'last-event-id': '999999999' });
    expect(await s.status).toBe(200);
    await eventually(async () => s.frames.some((f) => f.event === 'gap'));
    await eventually(async () => alertsOf(s.frames).length >= 12);
    s.close();
    const gap = s.frames.find((f) => f.event === 'gap')!;
    expect(JSON.parse(gap.data!)).toMatchObject({ lastEventId: '999999999', message: expect.any(String) });
    expect(s.frames.findIndex((f) => f.event === 'gap')).toBeLessThan(
      s.frames.findIndex((f) => f.event === 'alert'),
    );
    expect(alertsOf(s.frames).map((a) => a.n)).toEqual(range(1, 12));
    const bad = await call(`${svc.url}/alerts/stream?since=${encodeURIComponent('not an id!')}`, 'GET');
    expect(bad.status).toBe(400);
  });
});

/** A response whose socket never drains: every write after the first `ok` ones reports backpressure. */
function stuckResponse(
  okWrites: number,
): SseResponse & { written: string[]; ended: boolean; drain: () => void } {
  const listeners: Record<string, (() => void)[]> = {};
  let oks = okWrites;
  const res = {
    written: [] as string[],
    ended: false,
    writableEnded: false,
    destroyed: false,
    write(chunk: string): boolean {
      res.written.push(chunk);
      return oks-- > 0;
    },
    end(): void {
      res.ended = true;
      res.writableEnded = true;
    },
    once(event: string, listener: () => void): void {
      listeners[event] = [...(listeners[event] ?? []), listener];
    },
    drain(): void {
      const ls = listeners.drain ?? [];
      listeners.drain = [];
      for (const l of ls) l();
    },
  };
  return res;
}

function fakeHub(): { hub: AlertHub; live: Subject<AlertEntry> } {
  const live = new Subject<AlertEntry>();
  const hub = {
    newestId: () => '10',
    liveEntries: () => live.asObservable(),
    entriesAfter: () => ({ entries: [], gap: false }),
  } as unknown as AlertHub;
  return { hub, live };
}

const entry = (n: number): AlertEntry => ({
  id: String(n),
  alert: { ruleId: 'r', alertId: `a${n}`, fields: { pad: 'x'.repeat(200) } } as never,
});

describe('AlertStream pacing', () => {
  it('waits for drain instead of writing past backpressure, in order', () => {
    const { hub, live } = fakeHub();
    const res = stuckResponse(1); // the retry line goes through, then the socket is full
    new AlertStream(hub, res, { heartbeatMs: 60_000 }).start();
    live.next(entry(11));
    live.next(entry(12));
    live.next(entry(13));
    expect(res.written.filter((w) => w.includes('event: alert'))).toHaveLength(1);
    res.drain();
    const alerts = res.written.filter((w) => w.includes('event: alert')).map((w) => /id: (\d+)/.exec(w)![1]);
    expect(alerts).toEqual(['11', '12']); // 12 was written and filled the socket again
    res.drain();
    expect(res.written.filter((w) => w.includes('event: alert'))).toHaveLength(3);
    expect(res.ended).toBe(false);
  });

  it('ends a client too far behind with event: resume and the id of the last alert it was sent', () => {
    const { hub, live } = fakeHub();
    const res = stuckResponse(2);
    new AlertStream(hub, res, { heartbeatMs: 60_000, maxPendingChars: 2000 }).start();
    for (let n = 11; n <= 40 && !res.ended; n++) live.next(entry(n));
    expect(res.ended).toBe(true);
    const last = res.written.at(-1)!;
    expect(last).toMatch(/^id: 12\nevent: resume\ndata: /); // 12 was buffered (write() said false)
    expect(JSON.parse(/data: (.*)\n/.exec(last)![1]!)).toMatchObject({ lastEventId: '12' });
    expect(live.observed).toBe(false); // unsubscribed
  });
});
