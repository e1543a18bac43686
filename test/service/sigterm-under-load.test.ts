import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonValue, LocalLog } from '../../src/core/index.js';
import { useCompiledService } from '../util/compiled-service.js';
import { CRASH_RULE_DOCS, crashBatches } from '../util/crash-workload.js';
import type { ServiceProcess } from '../util/service-process.js';
import {
  CANARY_RULE,
  call,
  childServiceEnv,
  closeEventTime,
  committedAlertIds,
  removeServiceDirs,
  seededRandom,
  startService,
  T0,
} from './service-harness.js';

// SIGTERM while events stream in: every event acknowledged with 202 is processed exactly once.
// The compiled service (as graceful-shutdown.test.ts builds it) gets seeded batches; SIGTERM goes
// out right after batch K is acknowledged while the next batches keep coming; the service restarts
// on the same DATA_DIR and the rest of the stream follows. The alerts topic must then hold every
// alert once, the same alerts as an in-process run of the same events without a restart.

const service = useCompiledService('cep-sigterm', 120_000);
afterAll(removeServiceDirs);

const ENV = { LOAD_EXAMPLE_RULES: 'false', CHECKPOINT_INTERVAL_MS: '100', IDLE_FLUSH_MS: '200' };

function boot(dataDir: string): ServiceProcess {
  return service.spawn(
    childServiceEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'log', ...ENV }),
  );
}

const rules = [CANARY_RULE, ...CRASH_RULE_DOCS];

// 40 batches of 50 seeded events over 30 users, 1 s apart in event time.
const BATCHES = crashBatches(seededRandom(7), T0, 40, 50, 30);
const END = T0 + 40 * 50 * 1000;

async function eventIdsIn(dataDir: string): Promise<Set<string>> {
  const log = await LocalLog.openReadOnly(join(dataDir, 'log'));
  const reader = log.reader('events', 0);
  const ids = new Set<string>();
  for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
    for (const r of batch) {
      const id = jsonValue<{ id?: string }>(r).id;
      if (id !== undefined) ids.add(id);
    }
  }
  await log.close();
  return ids;
}

describe('SIGTERM during load', () => {
  it('processes every acknowledged event exactly once across a SIGTERM and a restart', async () => {
    // The reference: the same events, one in-process run, no restart.
    const ref = await startService(ENV);
    for (const r of rules) expect((await call(`${ref.url}/rules`, 'POST', r)).status).toBe(201);
    for (const batch of BATCHES) expect((await call(`${ref.url}/events`, 'POST', batch)).status).toBe(202);
    await closeEventTime(ref.url, END);
    await ref.close();
    const expected = await committedAlertIds(ref.dataDir);
    expect(expected.length).toBeGreaterThan(50);
    expect(new Set(expected).size).toBe(expected.length);

    const dataDir = service.tempDir('cep-sigterm-data-');
    const first = boot(dataDir);
    const url = await first.url;
    for (const r of rules) expect((await call(`${url}/rules`, 'POST', r)).status).toBe(201);
    const K = 15;
    const acked = new Set<number>();
    let next = 0;
    for (; next < BATCHES.length; next++) {
      if (next === K + 1) first.child.kill('SIGTERM'); // mid-stream: the next posts race the shutdown
      const r = await call(`${url}/events`, 'POST', BATCHES[next]).catch(() => undefined);
      if (r === undefined || r.status !== 202) break;
      expect(r.body.accepted).toBe(50);
      acked.add(next);
    }
    expect((await first.exit).code).toBe(0);
    expect(acked.has(K)).toBe(true);

    // Acknowledged batches are in the log; the one refused (if any) is wholly absent or present.
    const logged = await eventIdsIn(dataDir);
    let resumeAt = next;
    for (const b of acked) for (const e of BATCHES[b]!) expect(logged.has(e.id as string)).toBe(true);
    if (next < BATCHES.length) {
      const present = BATCHES[next]!.filter((e) => logged.has(e.id as string)).length;
      expect([0, 50]).toContain(present);
      if (present === 50) resumeAt = next + 1;
    }

    const second = boot(dataDir);
    const url2 = await second.url;
    for (let b = resumeAt; b < BATCHES.length; b++)
      expect((await call(`${url2}/events`, 'POST', BATCHES[b])).status).toBe(202);
    await closeEventTime(url2, END);
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);

    const got = await committedAlertIds(dataDir);
    expect(new Set(got).size).toBe(got.length); // exactly once
    expect([...got].sort()).toEqual([...expected].sort());
  }, 120_000);
});
