import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFailed } from 'vitest';
import { WATERMARK_HEADERS } from '../../src/core/connectors/kafka/index.js';
import type { Alert, RuleEvent } from '../../src/rules/index.js';
import { WATERMARK_TICK_TYPE } from '../../src/service/pipeline/idle-flush-watermarks.js';
import { rulesDir, runRules } from '../rules/helpers.js';
import { call, childServiceEnv, eventually, seededRandom, T0 } from '../service/service-harness.js';
import { useCompiledService } from '../util/compiled-service.js';
import { CRASH_RULE_DOCS, validated } from '../util/crash-workload.js';
import type { ServiceProcess } from '../util/service-process.js';
import { offsetsAfter, waitForGroupOffsets } from './group-caught-up.js';
import { kafkaServiceEnv, uniqueApp } from './kafka-service.js';
import { type TopicRecord, TopicRecords } from './topic-records.js';

// Two replicas of the compiled service in Kafka mode (4 partitions per topic, the same
// application id) while seeded batches of events stream in over HTTP, alternately to each; one
// replica is stopped mid-load (SIGTERM: it must exit 0; SIGKILL: a crash, its partitions move
// once its session times out) and started again while the load goes on. Every alert the engine
// reference (`runRules`, deterministic alert ids) computes over the accepted events must then be
// in the alerts topic exactly once, and nothing else, as a read_committed consumer sees it.

const SEED = Number(process.env.KAFKA_SIGTERM_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCHES = 80;
const BATCH_SIZE = 40;
/** One batch every PACE_MS: the load lasts through the stop, the restart and the rebalances. */
const PACE_MS = 75;
/** The replica is stopped right after this batch was acknowledged. */
const STOP_AFTER = 20;

const service = useCompiledService('cep-kafka-sigterm');

const RULE_DOCS: Record<string, unknown>[] = [
  JSON.parse(readFileSync(join(rulesDir, 'card-testing.json'), 'utf8')) as Record<string, unknown>,
  ...CRASH_RULE_DOCS,
];

/** BATCHES batches of seeded events, 1 s apart in event time, each with a unique id and ts. */
function makeBatches(seed: number): RuleEvent[][] {
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH_SIZE }, (_, i): RuleEvent => {
      const n = b * BATCH_SIZE + i;
      const base = { ts: T0 + n * 1000, id: `e${n}` };
      const r = random();
      if (r < 0.5) {
        const a = random();
        const amount = a < 0.6 ? 0.5 + pick(45) / 10 : a < 0.85 ? 10 + pick(90) : 200 + pick(800);
        return { ...base, type: 'payment', card: `c${pick(12)}`, amount, merchant: `m${pick(5)}` };
      }
      return { ...base, type: r < 0.7 ? 'x' : r < 0.85 ? 'y' : 'z', user: `u${pick(30)}` };
    }),
  );
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

async function stopReplicaMidLoad(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  const log: string[] = [];
  const started = Date.now();
  const note = (m: string): void => {
    log.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${m}`);
  };
  const app = uniqueApp(signal === 'SIGTERM' ? 'term' : 'kill');
  const env = childServiceEnv({
    ...kafkaServiceEnv(app, 4),
    PORT: '0',
    HOST: '127.0.0.1',
    LOAD_EXAMPLE_RULES: 'false',
    LOG_LEVEL: 'warn',
    ALERT_BUFFER_SIZE: '10000',
  });
  // Kafka mode keeps nothing on disk (DATA_DIR is unused).
  const boot = (): ServiceProcess => service.spawn(env);
  const replicas: { name: string; process: ServiceProcess }[] = [];
  onTestFailed(() => {
    console.error(`seed ${SEED} (rerun with KAFKA_SIGTERM_SEED=${SEED}), app ${app}\n${log.join('\n')}`);
    for (const r of replicas)
      console.error(`--- ${r.name} output (last 3000 chars):\n${r.process.output().slice(-3000)}`);
  });

  const batches = makeBatches(SEED);
  const events = batches.flat();
  const END = T0 + events.length * 1000;
  const tick: RuleEvent = { type: 'tick', ts: END + 3_600_000, id: 'tick' };
  const reference = await runRules(RULE_DOCS.map(validated), [...events, tick]);
  expect(reference.rejected).toEqual([]);
  const expected = reference.alerts.map((a) => a.alertId);
  expect(expected.length).toBeGreaterThan(100);
  expect(new Set(reference.alerts.map((a) => a.ruleId))).toEqual(
    new Set(['card-testing', 'x-then-y', 'z-count']),
  );

  let alertsTopic: TopicRecords | undefined;
  try {
    const a = { name: 'A', process: boot() };
    const b = { name: 'B', process: boot() };
    replicas.push(a, b);
    const [urlA, urlB] = await Promise.all([a.process.url, b.process.url]);
    note(`A on ${urlA}, B on ${urlB}`);
    // The replicas created the topics; read the alerts as a downstream consumer does.
    const alerts = await TopicRecords.start(`${app}-alerts`);
    alertsTopic = alerts;
    // Both replicas hold partitions of both stages before the load starts.
    await eventually(async () => {
      const k = await Promise.all(
        [urlA, urlB].map(
          async (u) => (await call(`${u}/health/ready`, 'GET')).body?.details?.pipeline?.kafka,
        ),
      );
      return k.every((x) => x?.assigned === true && x.router.length > 0 && x.evaluator.length > 0);
    }, 60_000);
    note('partitions split between A and B');
    for (const doc of RULE_DOCS) expect((await call(`${urlA}/rules`, 'POST', doc)).status).toBe(201);
    await eventually(
      async () => ((await call(`${urlB}/rules`, 'GET')).body as unknown[]).length === RULE_DOCS.length,
      10_000,
    );

    // The load: one batch every PACE_MS, alternately to A and B while A is up, else to B.
    let urlOfA: string | undefined = urlA;
    let restart: Promise<ServiceProcess> | undefined;
    let toRestartedA = 0;
    const t0 = Date.now();
    for (let i = 0; i < BATCHES; i++) {
      if (i === BATCHES - 10 && urlOfA === undefined) {
        // The restarted A takes part in the load before it ends.
        urlOfA = await (await restart!).url;
        note(`batch ${i}: waited for the restarted A`);
      }
      const target: string = urlOfA !== undefined && i % 2 === 0 ? urlOfA : urlB;
      const r = await call(`${target}/events`, 'POST', batches[i]);
      expect(r.status, `batch ${i} to ${target}`).toBe(202);
      expect(r.body.accepted).toBe(BATCH_SIZE);
      if (restart !== undefined && target === urlOfA) toRestartedA++;
      if (i === STOP_AFTER) {
        a.process.child.kill(signal);
        urlOfA = undefined;
        note(`batch ${i}: ${signal} to A`);
        // Started again once the old A is gone, while the load goes on.
        restart = a.process.exit.then((how) => {
          note(`A exited: ${JSON.stringify(how)}`);
          const next = boot();
          replicas.push({ name: 'A (restarted)', process: next });
          void next.url.then((u) => {
            note(`A restarted on ${u}`);
            urlOfA = u;
          });
          return next;
        });
      }
      await sleep(Math.max(0, t0 + (i + 1) * PACE_MS - Date.now()));
    }
    note(`${BATCHES} batches acknowledged, ${toRestartedA} of them by the restarted A`);
    expect(toRestartedA).toBeGreaterThan(0);
    const exitOfStopped = await a.process.exit;
    if (signal === 'SIGTERM') expect(exitOfStopped).toEqual({ code: 0, signal: null });
    else expect(exitOfStopped.signal).toBe('SIGKILL');
    const restarted = await restart!;

    // Event time past every window and `within`, then wait for every expected alert.
    expect((await call(`${urlB}/events`, 'POST', [tick])).body.accepted).toBe(1);
    const batchOf = (ts: number): number => Math.floor((ts - T0) / 1000 / BATCH_SIZE);
    const missingNow = (): Alert[] => {
      const seen = new Set(alerts.values<Alert>().map((x) => x.alertId));
      return reference.alerts.filter((x) => !seen.has(x.alertId));
    };
    await alerts
      .waitUntil(() => missingNow().length === 0, `all ${expected.length} expected alerts`, 120_000)
      .catch((e: unknown) => {
        for (const m of missingNow()) {
          note(
            `missing ${m.ruleId} ${m.key} batches ${batchOf(m.eventTimeStart)}-${batchOf(m.eventTimeEnd)}`,
          );
        }
        throw e;
      });
    note(`all ${expected.length} expected alerts in the alerts topic`);
    // Both stages processed and committed all their input: no further alert can come.
    const eventsTopic = await TopicRecords.start(`${app}-events`);
    await eventsTopic.readToEnd(30_000);
    await eventsTopic.stop();
    await waitForGroupOffsets(`${app}-router`, `${app}-events`, offsetsAfter(eventsTopic.records), 60_000);
    const routed = await TopicRecords.start(`${app}-routed`);
    await routed.readToEnd(30_000);
    await routed.stop();
    const routedData = (r: TopicRecord): boolean => r.headers[WATERMARK_HEADERS.watermark] === undefined;
    await waitForGroupOffsets(
      `${app}-cep`,
      `${app}-routed`,
      offsetsAfter(routed.records, routedData),
      60_000,
    );
    note('both consumer groups committed all their input');

    for (const r of [restarted, b.process]) r.child.kill('SIGTERM');
    expect(await restarted.exit).toEqual({ code: 0, signal: null });
    expect(await b.process.exit).toEqual({ code: 0, signal: null });
    note('both replicas exited 0');

    // The events topic holds every accepted event once (and the ingest's watermark ticks); the
    // alerts topic every expected alert once, and nothing else.
    const ingested = eventsTopic.values<RuleEvent>().filter((e) => e.type !== WATERMARK_TICK_TYPE);
    expect(sorted(ingested.map((e) => String(e.id)))).toEqual(
      sorted([...events, tick].map((e) => String(e.id))),
    );
    await alerts.readToEnd(30_000);
    const got = alerts.values<Alert>().map((x) => x.alertId);
    const missing = expected.filter((id) => !got.includes(id));
    const extra = got.filter((id, i) => !expected.includes(id) || got.indexOf(id) !== i);
    note(
      `alerts topic: ${got.length} records, ${missing.length} missing, ${extra.length} extra or duplicated`,
    );
    for (const x of alerts.records) {
      const alert = JSON.parse(x.value!) as Alert;
      if (!extra.includes(alert.alertId)) continue;
      const what = expected.includes(alert.alertId) ? 'duplicate' : 'unexpected';
      note(
        `${what} ${x.partition}@${x.offset}: ${alert.ruleId} ${alert.key} batches ${batchOf(alert.eventTimeStart)}-${batchOf(alert.eventTimeEnd)}`,
      );
    }
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(sorted(got)).toEqual(sorted(expected));
  } finally {
    await alertsTopic?.stop();
  }
}

describe('a replica stopped mid-load in Kafka mode (4 partitions, 2 replicas)', () => {
  it('SIGTERM: exits 0, restarts, and every expected alert is in the alerts topic exactly once', async () => {
    await stopReplicaMidLoad('SIGTERM');
  }, 240_000);

  it('SIGKILL: restarts, and every expected alert is in the alerts topic exactly once', async () => {
    await stopReplicaMidLoad('SIGKILL');
  }, 240_000);
});
