import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonValue, LocalLog } from '../../src/core/index.js';
import { compileFixture } from '../util/compile-fixture.js';
import { call, childServiceEnv, eventually, T0 } from './service-harness.js';

let buildDir: string;
let entry: string;
let dataDir: string;
const extraDirs: string[] = [];
/** Every child started, killed in afterAll if a failed test left it running. */
const children: ChildProcess[] = [];

/**
 * Compiles the service entry point (and what it imports) with the repo's own `tsc` into a temp
 * dir, as `npm run build` does, with `node_modules` and `rules/` linked next to it.
 */
beforeAll(() => {
  buildDir = mkdtempSync(join(tmpdir(), 'cep-service-build-'));
  dataDir = mkdtempSync(join(tmpdir(), 'cep-service-data-'));
  entry = compileFixture('src/main.ts', buildDir, { decorators: true, links: ['rules'] });
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  for (const d of extraDirs) rmSync(d, { recursive: true, force: true });
});

function boot(
  env: Record<string, string> = {},
  dir = dataDir,
): {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(process.execPath, [entry], {
    env: childServiceEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      IDLE_FLUSH_MS: '200',
      LOG_LEVEL: 'log',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exit, output: () => out };
}

describe('graceful shutdown of the compiled service', () => {
  it('exits 0 on SIGTERM with rules and alerts durable in the data dir', async () => {
    const first = boot();
    const url = await first.url;
    const rule = {
      id: 'shutdown-rule',
      version: 1,
      status: 'active',
      kind: 'pattern',
      key: ['user'],
      stages: [{ name: 'a', condition: 'e.type == "boom"' }],
      alert: { severity: 'low', message: 'boom for {{key}}' },
    };
    expect((await call(`${url}/rules`, 'POST', rule)).status).toBe(201);
    expect((await call(`${url}/events`, 'POST', [{ type: 'boom', user: 'z', ts: T0 }])).status).toBe(202);
    await eventually(async () => (await call(`${url}/alerts?ruleId=shutdown-rule`, 'GET')).body.length === 1);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(first.output()).toContain('local log flushed and closed');

    const log = await LocalLog.openReadOnly(join(dataDir, 'log'));
    const alerts = log
      .reader('alerts', 0)
      .poll(100)
      .map((r) => jsonValue<{ ruleId: string }>(r));
    expect(alerts.map((a) => a.ruleId)).toEqual(['shutdown-rule']);
    await log.close();

    // A restart reads the rules back from the log (and does not load the examples again).
    const second = boot({ LOAD_EXAMPLE_RULES: 'true' });
    const url2 = await second.url;
    const got = await call(`${url2}/rules/shutdown-rule`, 'GET');
    expect(got.status).toBe(200);
    expect((await call(`${url2}/rules`, 'GET')).body).toHaveLength(7);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 60_000);

  it('after a crash (SIGKILL) and a restart, every alert is in the alerts topic exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cep-service-crash-'));
    extraDirs.push(dir);
    const env = { LOAD_EXAMPLE_RULES: 'false', CHECKPOINT_INTERVAL_MS: '100' };
    const first = boot(env, dir);
    const url = await first.url;
    const rule = {
      id: 'crash-rule',
      version: 1,
      status: 'active',
      kind: 'pattern',
      key: ['user'],
      stages: [{ name: 'a', condition: 'e.type == "boom"' }],
      alert: { severity: 'low', message: 'boom for {{key}}' },
    };
    expect((await call(`${url}/rules`, 'POST', rule)).status).toBe(201);
    const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
    for (let b = 0; b < 3; b++) {
      const batch = users
        .slice(b * 100, b * 100 + 100)
        .map((user, i) => ({ type: 'boom', user, ts: T0 + b * 100 + i, id: user }));
      expect((await call(`${url}/events`, 'POST', batch)).body.accepted).toBe(100);
    }
    first.child.kill('SIGKILL');
    await first.exit;

    const second = boot(env, dir);
    const url2 = await second.url;
    // All 300 users alert once the watermark passes (idle flush), across the crash.
    let alerts: { key: string }[] = [];
    await eventually(async () => {
      alerts = (await call(`${url2}/alerts?ruleId=crash-rule&limit=1000`, 'GET')).body as { key: string }[];
      return alerts.length >= 300;
    }, 20_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    const log = await LocalLog.openReadOnly(join(dir, 'log'));
    const reader = log.reader('alerts', 0);
    const keys: string[] = [];
    for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
      for (const r of batch) keys.push(jsonValue<{ key: string }>(r).key);
    }
    await log.close();
    const missing = users.filter((u) => !alerts.some((a) => a.key.includes(`"${u}"`)));
    expect(missing, second.output().slice(-3000)).toEqual([]);
    expect(alerts.length).toBe(300);
    expect(keys.length).toBe(300);
    expect(new Set(keys).size).toBe(300);
  }, 60_000);

  it('keeps partial matches across a graceful restart (checkpointed state)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cep-service-restart-'));
    extraDirs.push(dir);
    const env = { LOAD_EXAMPLE_RULES: 'false' };
    const rule = {
      id: 'two-fails-then-ok',
      version: 1,
      status: 'active',
      kind: 'pattern',
      key: ['user'],
      stages: [
        { name: 'fail', condition: 'e.type == "fail"', quantifier: { type: 'times', from: 3 } },
        { name: 'ok', contiguity: 'followedBy', condition: 'e.type == "ok"' },
      ],
      within: 'PT10M',
      alert: { severity: 'high', message: 'fails then ok for {{key}}' },
    };
    const first = boot(env, dir);
    const url = await first.url;
    expect((await call(`${url}/rules`, 'POST', rule)).status).toBe(201);
    await call(`${url}/events`, 'POST', [
      { type: 'fail', user: 'p', ts: T0 + 1000 },
      { type: 'fail', user: 'p', ts: T0 + 2000 },
    ]);
    await new Promise((r) => setTimeout(r, 1500)); // processed and checkpointed
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = boot(env, dir);
    const url2 = await second.url;
    await call(`${url2}/events`, 'POST', [
      { type: 'fail', user: 'p', ts: T0 + 3000 },
      { type: 'ok', user: 'p', ts: T0 + 4000 },
    ]);
    const alerts = await eventually(async () => {
      const a = (await call(`${url2}/alerts?ruleId=two-fails-then-ok`, 'GET')).body as any[];
      return a.length > 0 ? a : undefined;
    });
    expect(alerts[0].stages.fail.map((e: { ts: number }) => e.ts)).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  }, 60_000);
});
