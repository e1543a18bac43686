import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jsonValue, LocalLog } from '../../src/core/index.js';
import { createApp, loadServiceConfig } from '../../src/service/index.js';

/** A running service on 127.0.0.1 with an ephemeral port and a temp data dir. */
export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly dataDir: string;
  /** Closes the app (shutdown hooks run); `keepData` leaves the data dir for a restart. */
  close(keepData?: boolean): Promise<void>;
}

const dirs: string[] = [];

/** A new temp dir, removed by {@link removeServiceDirs}. */
export function tempDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cep-service-'));
  dirs.push(d);
  return d;
}

/** Removes the temp dirs made so far. */
export function removeServiceDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * The environment of a service child process: this one's, without `KAFKA_BROKERS` (the Kafka
 * integration tests' global setup sets it for the whole vitest run, and the service would start
 * in Kafka mode), plus `extra`.
 */
export function childServiceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (extra.KAFKA_BROKERS === undefined) delete env.KAFKA_BROKERS;
  return env;
}

/** Boots the real Nest app with `env` over defaults fit for tests. */
export async function startService(env: Record<string, string> = {}): Promise<RunningService> {
  const dataDir = env.DATA_DIR ?? tempDataDir();
  const config = loadServiceConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    IDLE_FLUSH_MS: '200',
    ...env,
    DATA_DIR: dataDir,
  });
  const app = await createApp(config, { shutdownHooks: false });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  let closed = false;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

/** JSON request helper: returns status and parsed body (text when not JSON). */
export async function call(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const T0 = Date.UTC(2026, 0, 1);

/** Collects the `alert` events of GET /alerts/stream (optionally `?ruleId=`) until closed. */
export function subscribeAlerts(
  url: string,
  query = '',
): { alerts: any[]; ready: Promise<void>; close: () => void } {
  const alerts: any[] = [];
  const controller = new AbortController();
  let markReady!: () => void;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  void (async () => {
    try {
      const res = await fetch(`${url}/alerts/stream${query}`, {
        signal: controller.signal,
        headers: { accept: 'text/event-stream' },
      });
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

/** A seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A single-stage rule alerting on every `type: "canary"` event, keyed by its `probe` field. The
 * job handles events in event-time order, so once the alert for a canary whose `ts` is above
 * every earlier event is visible, every alert those earlier events cause (matches, windows and
 * absence timeouts due by then) is visible too: a deterministic "the pipeline caught up".
 */
export const CANARY_RULE = {
  id: 'canary',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['probe'],
  stages: [{ name: 'c', condition: 'e.type == "canary"' }],
  alert: { severity: 'low', message: 'canary {{key}}' },
} as const;

/** Posts a canary event at `ts` and waits until its alert is visible in GET /alerts. */
export async function awaitCanary(url: string, probe: string, ts: number, timeoutMs = 15_000): Promise<void> {
  const r = await call(`${url}/events`, 'POST', [{ type: 'canary', probe, ts, id: `canary-${probe}` }]);
  if (r.status !== 202 || r.body.accepted !== 1) throw new Error(`canary refused: ${JSON.stringify(r.body)}`);
  await eventually(async () => {
    const a = (await call(`${url}/alerts?ruleId=canary&limit=1000`, 'GET')).body as { key: string }[];
    return a.some((x) => x.key === JSON.stringify([['probe', probe]]));
  }, timeoutMs);
}

/** Moves event time an hour past `end` (closing the last windows and `within` spans) and waits for the canary there. */
export async function closeEventTime(url: string, end: number): Promise<void> {
  const r = await call(`${url}/events`, 'POST', [{ type: 'tick', ts: end + 3_600_000 }]);
  if (r.status !== 202) throw new Error(`tick refused: ${r.status}`);
  await awaitCanary(url, 'end', end + 3_600_001, 30_000);
}

/** Alert ids in the alerts topic of `dataDir`, canary left out (every record, not only the buffered ones). */
export async function committedAlertIds(dataDir: string): Promise<string[]> {
  const log = await LocalLog.openReadOnly(join(dataDir, 'log'));
  const reader = log.reader('alerts', 0);
  const ids: string[] = [];
  for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
    for (const r of batch) {
      const a = jsonValue<{ alertId: string; ruleId: string }>(r);
      if (a.ruleId !== 'canary') ids.push(a.alertId);
    }
  }
  await log.close();
  return ids;
}

/** The README's example rule: a login from a new device, then a payout above 500 within 10 minutes. */
export const NEW_DEVICE_PAYOUT_RULE = {
  id: 'new-device-payout',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: 'payout of {{payout.amount}} for {{key}}' },
} as const;
