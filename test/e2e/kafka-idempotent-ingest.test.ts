import { describe, expect, it, onTestFailed } from 'vitest';
import { WATERMARK_HEADERS } from '../../src/core/connectors/kafka/index.js';
import type { Alert, RuleEvent } from '../../src/rules/index.js';
import { runRules } from '../rules/helpers.js';
import { call, childServiceEnv, eventually, seededRandom, T0 } from '../service/service-harness.js';
import { useCompiledService } from '../util/compiled-service.js';
import { CRASH_RULE_DOCS, crashBatches, validated } from '../util/crash-workload.js';
import { offsetsAfter, waitForGroupOffsets } from './group-caught-up.js';
import { kafkaServiceEnv, uniqueApp } from './kafka-service.js';
import { TopicRecords } from './topic-records.js';

// Idempotent ingest in Kafka mode: the compiled service (4 partitions) is killed with SIGKILL
// while a batch is in flight, twice; the client resends every batch it got no answer for, and
// some it got an answer for (lost responses). The HTTP ingest keys events by id, so a copy
// reaches the router task of its first copy, whose seen ids are changelogged with its offsets and
// outputs: the alerts topic must hold exactly the alerts of one delivery (the engine reference,
// `runRules`), each once, byte for byte. Seeded: KAFKA_DEDUP_SEED=<n> reruns one.

const SEED = Number(process.env.KAFKA_DEDUP_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BATCHES = 30;
const BATCH_SIZE = 25;

const service = useCompiledService('cep-kafka-dedup');
const processes = service.processes;

const RULE_DOCS = CRASH_RULE_DOCS;

const byId = (a: Alert, b: Alert): number => (a.alertId < b.alertId ? -1 : a.alertId > b.alertId ? 1 : 0);

describe('idempotent ingest in Kafka mode (4 partitions)', () => {
  it('gives the alerts of one delivery across SIGKILLs during the ingest and resends', async () => {
    const log: string[] = [];
    const started = Date.now();
    const note = (m: string): void => {
      log.push(`${((Date.now() - started) / 1000).toFixed(1)} s: ${m}`);
    };
    const app = uniqueApp('dedup');
    onTestFailed(() => {
      console.error(`seed ${SEED} (rerun with KAFKA_DEDUP_SEED=${SEED}), app ${app}\n${log.join('\n')}`);
      const last = processes.at(-1);
      if (last !== undefined) console.error(`--- last process output:\n${last.output().slice(-3000)}`);
    });
    console.log(`kafka-idempotent-ingest: seed ${SEED} (KAFKA_DEDUP_SEED=${SEED} to rerun)`);
    const rng = seededRandom(SEED);
    const pick = (n: number): number => Math.floor(rng() * n);
    const batches = crashBatches(rng, T0, BATCHES, BATCH_SIZE, 20);
    const events = batches.flat();
    const tick: RuleEvent = { type: 'tick', ts: T0 + events.length * 1000 + 3_600_000, id: 'tick' };
    const reference = await runRules(RULE_DOCS.map(validated), [...events, tick]);
    const expected = [...reference.alerts].sort(byId);
    expect(expected.length).toBeGreaterThan(40);

    const env = childServiceEnv({
      ...kafkaServiceEnv(app, 4),
      PORT: '0',
      HOST: '127.0.0.1',
      LOAD_EXAMPLE_RULES: 'false',
      LOG_LEVEL: 'log',
      ALERT_BUFFER_SIZE: '10000',
    });
    let svc = service.spawn(env);
    let url = await svc.url;
    const alerts = await TopicRecords.start(`${app}-alerts`);
    try {
      const ready = async (): Promise<void> => {
        await eventually(async () => {
          const k = (await call(`${url}/health/ready`, 'GET')).body?.details?.pipeline?.kafka;
          return k?.assigned === true && k.router.length === 4 && k.evaluator.length === 4;
        }, 60_000);
      };
      await ready();
      for (const doc of RULE_DOCS) expect((await call(`${url}/rules`, 'POST', doc)).status).toBe(201);

      const killAt = new Set<number>();
      while (killAt.size < 2) killAt.add(1 + pick(BATCHES - 4));
      let resends = 0;
      const post = async (b: number): Promise<boolean> => {
        const r = await call(`${url}/events`, 'POST', batches[b]).catch(() => undefined);
        if (r !== undefined && r.status === 202) {
          expect(r.body.accepted).toBe(BATCH_SIZE);
          return true;
        }
        if (svc.child.exitCode === null && svc.child.signalCode === null && r !== undefined)
          throw new Error(`POST /events answered ${r.status}: ${JSON.stringify(r.body)}`);
        await svc.exit;
        note(`batch ${b} unanswered, the service is gone: restarting`);
        svc = service.spawn(env);
        url = await svc.url;
        return false;
      };
      for (let b = 0; b < BATCHES; b++) {
        if (killAt.has(b)) {
          const child = svc.child;
          const delay = rng() * 30;
          setTimeout(() => child.kill('SIGKILL'), delay);
          note(`batch ${b}: SIGKILL in ${delay.toFixed(0)} ms`);
        }
        while (!(await post(b))) resends++;
        const x = rng();
        if (x < 0.3) {
          const again = x < 0.2 || b === 0 ? b : b - 1;
          while (!(await post(again)));
          resends++;
        }
      }
      await new Promise((r) => setTimeout(r, 40));
      if (svc.child.signalCode !== null || svc.child.killed) {
        await svc.exit;
        svc = service.spawn(env);
        url = await svc.url;
      }
      await ready();
      note(`${BATCHES} batches answered, ${resends} resends`);
      expect((await call(`${url}/events`, 'POST', [tick])).body.accepted).toBe(1);

      const missingNow = (): Alert[] => {
        const seen = new Set(alerts.values<Alert>().map((a) => a.alertId));
        return expected.filter((a) => !seen.has(a.alertId));
      };
      await alerts.waitUntil(() => missingNow().length === 0, `all ${expected.length} alerts`, 120_000);
      note('every expected alert is in the alerts topic');
      // Both stages committed all their input: no further alert can come.
      const eventsTopic = await TopicRecords.start(`${app}-events`);
      await eventsTopic.readToEnd(30_000);
      await eventsTopic.stop();
      const copies =
        eventsTopic.values<RuleEvent>().filter((e) => e.id !== undefined).length - events.length - 1;
      note(`${copies} duplicate events in the events topic`);
      expect(copies).toBeGreaterThan(0);
      await waitForGroupOffsets(`${app}-router`, `${app}-events`, offsetsAfter(eventsTopic.records), 60_000);
      const routed = await TopicRecords.start(`${app}-routed`);
      await routed.readToEnd(30_000);
      await routed.stop();
      await waitForGroupOffsets(
        `${app}-cep`,
        `${app}-routed`,
        offsetsAfter(routed.records, (r) => r.headers[WATERMARK_HEADERS.watermark] === undefined),
        60_000,
      );
      await alerts.readToEnd(30_000);
      const got = alerts.values<Alert>().sort(byId);
      expect(got.map((a) => a.alertId)).toEqual(expected.map((a) => a.alertId));
      expect(got).toEqual(expected);
      svc.child.kill('SIGTERM');
      expect(await svc.exit).toEqual({ code: 0, signal: null });
      console.log(`kafka-idempotent-ingest: seed ${SEED}: ${log.join('; ')}`);
    } finally {
      await alerts.stop();
    }
  }, 240_000);
});
