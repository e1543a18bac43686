import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
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
  timeoutMs = 10_000,
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
