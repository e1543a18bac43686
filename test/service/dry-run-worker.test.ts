import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRY_RUN_MAX_ALERTS } from '../../src/service/rules/dry-run.js';
import { compileFixture } from '../util/compile-fixture.js';
import { call, childServiceEnv, T0 } from './service-harness.js';

// The dry run's worker thread needs compiled JavaScript: these tests run the service compiled
// with the repo's tsc (as `npm run build` does), in a child process, as production runs dist/.

const TIMEOUT_MS = 1500;
let buildDir: string;
let dataDir: string;
let child: ChildProcess | undefined;
let url: string;
let output = '';

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'cep-dry-run-build-'));
  dataDir = mkdtempSync(join(tmpdir(), 'cep-dry-run-data-'));
  const entry = compileFixture('src/main.ts', buildDir, { decorators: true, links: ['rules'] });
  // The worker entry is emitted next to the runner (a type-only import pulls it into the build).
  expect(existsSync(join(dirname(entry), 'service/rules/dry-run-worker.js'))).toBe(true);
  child = spawn(process.execPath, [entry], {
    env: childServiceEnv({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'log',
      DRY_RUN_TIMEOUT_MS: String(TIMEOUT_MS),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
  });
}, 180_000);

afterAll(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

function rule(id: string, condition: string): Record<string, unknown> {
  return {
    id,
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages: [{ name: 'a', condition }],
    alert: { severity: 'low', message: 'a for {{key}}' },
  };
}

describe('POST /rules/dry-run in a worker thread (compiled service)', () => {
  it('keeps /health/live under 100 ms while a CPU-bound dry run runs, then answers 422 at DRY_RUN_TIMEOUT_MS', async () => {
    // 200 x 200 iterations per event: allowed by the static cost limit, ~10 ms per event.
    const list = `[${Array.from({ length: 200 }, (_, i) => i).join(',')}]`;
    const heavy = rule('heavy', `${list}.exists(a, ${list}.exists(b, a * b < 0)) || e.type == "never"`);
    const events = Array.from({ length: 2000 }, (_, i) => ({ type: 'x', user: `u${i % 7}`, ts: T0 + i }));
    const started = Date.now();
    const dry = call(`${url}/rules/dry-run`, 'POST', { rule: heavy, events });
    let settled = false;
    void dry.finally(() => {
      settled = true;
    });
    const latencies: number[] = [];
    await new Promise((r) => setTimeout(r, 200)); // the worker is running its job by now
    while (!settled) {
      const t = performance.now();
      const live = await call(`${url}/health/live`, 'GET');
      latencies.push(performance.now() - t);
      expect(live.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await dry;
    const elapsed = Date.now() - started;
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(new RegExp(`longer than ${TIMEOUT_MS} ms and was stopped`));
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 3000);
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    // Blocked, the main thread would answer one or two probes after ~TIMEOUT_MS. Under 100 ms
    // each; on a loaded shared machine (load 10 on 2 cores is common in CI) the OS can
    // deschedule any process for 100+ ms, so one probe in ten may exceed it, none 500 ms.
    const slow = latencies.filter((l) => l >= 100);
    expect(slow.length, latencies.map(Math.round).join(' ')).toBeLessThanOrEqual(
      Math.floor(latencies.length / 10),
    );
    expect(Math.max(...latencies)).toBeLessThan(500);
    // The service is still fine afterwards.
    const ok = await call(`${url}/rules/dry-run`, 'POST', { ruleId: 'card-testing', events: [] });
    expect(ok.status).toBe(200);
  });

  it('bounds the response: the first alerts, the total count, truncated', async () => {
    const events = Array.from({ length: 500 }, (_, i) => ({ type: 'x', user: `u${i}`, ts: T0 + i }));
    const r = await call(`${url}/rules/dry-run`, 'POST', { rule: rule('every', 'e.type == "x"'), events });
    expect(r.status).toBe(200);
    expect(r.body.alertCount).toBe(500);
    expect(r.body.truncated).toBe(true);
    expect(r.body.alerts).toHaveLength(DRY_RUN_MAX_ALERTS);
    expect(r.body.alerts[0].key).toBe('[["user","u0"]]');
    const few = await call(`${url}/rules/dry-run`, 'POST', {
      rule: rule('every', 'e.type == "x"'),
      events: events.slice(0, 3),
    });
    expect(few.body).toMatchObject({ alertCount: 3, truncated: false });
    expect(few.body.alerts).toHaveLength(3);
  });

  it('reports condition errors with the condition path, message and first failing event', async () => {
    const r = await call(`${url}/rules/dry-run`, 'POST', {
      rule: rule('errs', 'e.type == "pay" && e.amount > 5.0'),
      events: [
        { type: 'pay', user: 'ann', amount: 9, ts: T0 },
        { type: 'login', user: 'ann', ts: T0 + 1 },
        { type: 'pay', user: 'ann', ts: T0 + 2 },
        { type: 'pay', user: 'bob', ts: T0 + 3 },
        { user: 'bob', ts: T0 + 4 },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.alertCount).toBe(1);
    expect(r.body.invalidEvents).toEqual([{ index: 4, reason: expect.any(String) }]);
    expect(r.body.conditionErrors).toBe(2);
    expect(r.body.conditionErrorDetails).toEqual([
      { path: '/stages/0/condition', message: expect.stringMatching(/amount/), count: 2, eventIndex: 2 },
    ]);
  });

  it('refuses a rule over the condition cost limit with 400 at its path, before any worker runs', async () => {
    const list = `[${Array.from({ length: 25 }, (_, i) => i).join(',')}]`;
    const six = ['a', 'b', 'c', 'd', 'f', 'g'].reduceRight(
      (body, v) => `${list}.all(${v}, ${body})`,
      'a >= 0',
    );
    const r = await call(`${url}/rules/dry-run`, 'POST', { rule: rule('six', six), events: [] });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { path: '/rule/stages/0/condition', message: expect.stringMatching(/estimated cost [\d.e+]+ exceeds/) },
    ]);
  });
});
