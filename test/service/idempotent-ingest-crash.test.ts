import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonValue, LocalLog } from '../../src/core/index.js';
import { useCompiledService } from '../util/compiled-service.js';
import { CRASH_RULE_DOCS, crashBatches } from '../util/crash-workload.js';
import type { ServiceProcess } from '../util/service-process.js';
import {
  awaitCanary,
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

// Idempotent ingest (DEDUP_WINDOW_MS): a client that resends every batch it got no answer for
// (and, as if the response had been lost, some it did get an answer for) while the compiled
// service is killed with SIGKILL at random points of the ingest gets exactly the alerts of one
// delivery: the dedup stage's seen ids are checkpointed with the read positions and the alerts
// transaction, so neither a batch committed before the kill and resent after it, nor its replay
// from the last checkpoint, is processed twice. Seeded: the seed of each iteration is printed
// (CRASH_SEED=<n> reruns one).

const service = useCompiledService('cep-dedup', 120_000);
afterAll(removeServiceDirs);

const ENV = { LOAD_EXAMPLE_RULES: 'false', CHECKPOINT_INTERVAL_MS: '100', IDLE_FLUSH_MS: '200' };

function boot(dataDir: string): ServiceProcess {
  return service.spawn(
    childServiceEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'log', ...ENV }),
  );
}

const rules = [CANARY_RULE, ...CRASH_RULE_DOCS];

// 24 batches of 25 seeded events over 20 users, 1 s apart in event time, every event with an id.
const BATCHES = crashBatches(seededRandom(11), T0, 24, 25, 20);
const END = T0 + 24 * 25 * 1000;

/** GET /alerts without the canary, as JSON lines sorted by alert id (byte-for-byte comparable). */
async function alertsOf(url: string): Promise<string[]> {
  const r = await call(`${url}/alerts?limit=1000`, 'GET');
  expect(r.status).toBe(200);
  return (r.body as { alertId: string; ruleId: string }[])
    .filter((a) => a.ruleId !== 'canary')
    .sort((a, b) => (a.alertId < b.alertId ? -1 : 1))
    .map((a) => JSON.stringify(a));
}

/** How many events of the events topic of `dataDir` are further copies of an id already in it. */
async function copiesIn(dataDir: string): Promise<number> {
  const log = await LocalLog.openReadOnly(join(dataDir, 'log'));
  const reader = log.reader('events', 0);
  const seen = new Set<string>();
  let copies = 0;
  for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
    for (const r of batch) {
      const id = jsonValue<{ id?: string }>(r).id;
      if (id === undefined) continue;
      if (seen.has(id)) copies++;
      seen.add(id);
    }
  }
  await log.close();
  return copies;
}

/** Counter value from a Prometheus text exposition. */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m === null ? Number.NaN : Number(m[1]);
}

describe('idempotent ingest', () => {
  it('drops a resent batch (ids, or ids derived from the Idempotency-Key) and counts it', async () => {
    const svc = await startService(ENV);
    for (const r of rules) expect((await call(`${svc.url}/rules`, 'POST', r)).status).toBe(201);
    const [b0, b1] = [BATCHES[0]!, BATCHES[1]!];
    for (let i = 0; i < 2; i++) expect((await call(`${svc.url}/events`, 'POST', b0)).body.accepted).toBe(25);
    const anonymous = b1.map(({ id: _id, ...e }) => e);
    for (let i = 0; i < 2; i++) {
      const r = await call(`${svc.url}/events`, 'POST', anonymous, { 'idempotency-key': 'batch-1' });
      expect(r.body.accepted).toBe(25);
    }
    await awaitCanary(svc.url, 'first', T0 + 60_000);
    const metrics = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    expect(metric(metrics, 'events_deduplicated_total')).toBe(50);
    expect(metric(metrics, 'events_in_total')).toBe(101);
    await svc.close();
  }, 30_000);

  it('remembers at most DEDUP_MAX_IDS ids: the oldest are forgotten, counted, and a resend of them is processed', async () => {
    const svc = await startService({ ...ENV, DEDUP_MAX_IDS: '30' });
    for (const r of rules) expect((await call(`${svc.url}/rules`, 'POST', r)).status).toBe(201);
    const [b0, b1] = [BATCHES[0]!, BATCHES[1]!];
    expect((await call(`${svc.url}/events`, 'POST', b0)).body.accepted).toBe(25);
    expect((await call(`${svc.url}/events`, 'POST', b1)).body.accepted).toBe(25);
    // 50 ids seen, 30 remembered: the first 20 of b0 are forgotten; its last 5 are still there.
    expect((await call(`${svc.url}/events`, 'POST', b0.slice(20))).body.accepted).toBe(5);
    expect((await call(`${svc.url}/events`, 'POST', b0.slice(0, 20))).body.accepted).toBe(20);
    await awaitCanary(svc.url, 'first', T0 + 60_000);
    const metrics = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    expect(metric(metrics, 'events_deduplicated_total')).toBe(5);
    // 20 forgotten for b1, then the 20 resent ones (new again) push out 20 more, and the canary
    // event (an id of its own) one.
    expect(metric(metrics, 'events_dedup_evicted_total')).toBe(41);
    await svc.close();
  }, 30_000);

  it('restores a DATA_DIR checkpointed without the dedup stage (DEDUP_WINDOW_MS=0, the former job graph)', async () => {
    const before = await startService({ ...ENV, DEDUP_WINDOW_MS: '0' });
    for (const r of rules) expect((await call(`${before.url}/rules`, 'POST', r)).status).toBe(201);
    expect((await call(`${before.url}/events`, 'POST', BATCHES[0])).status).toBe(202);
    await awaitCanary(before.url, 'before', T0 + 30_000);
    await before.close(true);
    const after = await startService({ ...ENV, DATA_DIR: before.dataDir });
    for (let i = 0; i < 2; i++)
      expect((await call(`${after.url}/events`, 'POST', BATCHES[1])).status).toBe(202);
    await awaitCanary(after.url, 'after', T0 + 60_000);
    const ready = await call(`${after.url}/health/ready`, 'GET');
    expect(ready.body.details.pipeline.state).toBe('running');
    const metrics = (await call(`${after.url}/metrics`, 'GET')).body as string;
    expect(metric(metrics, 'events_deduplicated_total')).toBe(25);
    await after.close();
  }, 30_000);

  it('gives the alerts of one delivery across SIGKILLs at random points of the ingest and resends', async () => {
    // The reference: one delivery of every batch, in process, no crash.
    const ref = await startService(ENV);
    for (const r of rules) expect((await call(`${ref.url}/rules`, 'POST', r)).status).toBe(201);
    for (const batch of BATCHES) expect((await call(`${ref.url}/events`, 'POST', batch)).status).toBe(202);
    await closeEventTime(ref.url, END);
    const expected = await alertsOf(ref.url);
    await ref.close();
    expect(expected.length).toBeGreaterThan(40);

    const fixed = process.env.CRASH_SEED;
    const seeds =
      fixed !== undefined ? [Number(fixed)] : [1, 2, 3].map(() => Math.floor(Math.random() * 1e9));
    for (const seed of seeds) {
      console.log(`idempotent-ingest-crash: seed ${seed} (CRASH_SEED=${seed} to rerun)`);
      const rng = seededRandom(seed);
      const dataDir = service.tempDir('cep-dedup-data-');
      let svc = boot(dataDir);
      let url = await svc.url;
      for (const r of rules) expect((await call(`${url}/rules`, 'POST', r)).status).toBe(201);
      // Three kills, each while a batch (chosen at random) is in flight, after 0-25 ms: before,
      // during or after its commit, before or after the answer.
      const killAt = new Set<number>();
      while (killAt.size < 3) killAt.add(Math.floor(rng() * BATCHES.length));
      const killed: Promise<void>[] = [];
      let kills = 0;
      let resends = 0;
      const post = async (b: number): Promise<boolean> => {
        const r = await call(`${url}/events`, 'POST', BATCHES[b]).catch(() => undefined);
        if (r !== undefined && r.status === 202) {
          expect(r.body.accepted).toBe(25);
          return true;
        }
        // No answer: the service is gone (or going). Wait for it, boot it again, resend.
        if (svc.child.exitCode === null && svc.child.signalCode === null && r !== undefined)
          throw new Error(`POST /events answered ${r.status}: ${JSON.stringify(r.body)}`);
        await svc.exit;
        svc = boot(dataDir);
        url = await svc.url;
        return false;
      };
      for (let b = 0; b < BATCHES.length; b++) {
        if (killAt.has(b)) {
          const child = svc.child;
          const delay = rng() * 25;
          killed.push(new Promise((r) => setTimeout(r, delay)).then(() => void child.kill('SIGKILL')));
          kills++;
        }
        let first = true;
        while (!(await post(b))) {
          if (first) resends++;
          first = false;
        }
        // Lost responses: the answer came, the client resends anyway (this batch, or the previous).
        const x = rng();
        if (x < 0.25 || (x < 0.35 && b > 0)) {
          const again = x < 0.25 ? b : b - 1;
          while (!(await post(again)));
          resends++;
        }
      }
      expect(kills).toBe(3);
      await Promise.all(killed);
      if (svc.child.signalCode !== null || svc.child.killed) {
        // The last kill landed after the last batch's answer.
        await svc.exit;
        svc = boot(dataDir);
        url = await svc.url;
      }
      await closeEventTime(url, END);
      const got = await alertsOf(url);
      svc.child.kill('SIGTERM');
      await svc.exit;
      expect(got, `seed ${seed}`).toEqual(expected);
      const ids = await committedAlertIds(dataDir);
      expect(new Set(ids).size, `seed ${seed}: every alert once in the topic`).toBe(ids.length);
      expect(ids.length).toBe(expected.length);
      const copies = await copiesIn(dataDir);
      expect(copies).toBeGreaterThan(0);
      console.log(
        `seed ${seed}: ${kills} kills, ${resends} resends, ${copies} duplicate events in the events topic, ${got.length} alerts as the reference`,
      );
    }
  }, 120_000);
});
