/**
 * DESIGN §4's exactly-once across a repartition topic, under crashes: the two-stage pipeline of
 * `partitioned-repartition.test.ts` (payments keyed by account -> re-keyed by merchant through a
 * repartition topic that carries watermarks -> event-time tumbling window totals per merchant),
 * each stage in its own worker process. Stage 2's process is killed with SIGKILL at a seeded
 * moment and restarted, then stage 1's. read_committed readers must still see every window
 * total exactly once, every payment exactly once in the repartition topic (never behind the
 * upstream watermark), and every poison record exactly once in the dead-letter topic.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { mulberry32 } from '../../util/mulberry32.js';
import { kafkaBrokers } from './broker-control.js';
import {
  eventsOf,
  kill,
  offsetMismatches,
  terminate,
  type Worker,
  waitForInputCommitted,
} from './fixtures/partitioned-harness.js';
import { fillPayments } from './fixtures/payments-input.js';
import {
  deadLetterProblems,
  idleUpstreamTasks,
  repartitionProblems,
  windowProblems,
} from './fixtures/repartition-checks.js';
import type { RepartitionWorkerConfig } from './fixtures/repartition-worker.js';
import { compileRepartitionWorker, startRepartitionWorker } from './fixtures/repartition-workers.js';
import { TopicReader } from './fixtures/topic-reader.js';
import { offsetsAfter, waitForGroupOffsets } from './fixtures/wait-for-group-offsets.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

const SEED = Number(process.env.REPARTITION_CRASH_SEED ?? Date.now() % 1_000_000);
const PARTITIONS = 4;
const REPARTITIONS = 3;
const EVENTS = 4000;
const POISON = 10;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;
/** 4 stage 1 tasks: 200 payments/s at most, so the input lasts ≥ 20 s, across both kills. */
const RATE_PER_TASK = 50;
/**
 * Transactions with outputs stay open this long after writing them; the test kills a worker
 * right after it says it is in such a pause, so each kill aborts a transaction with outputs.
 */
const TXN_PAUSE_MS = 300;
/** A restarted worker gets its partitions once the killed one's session expired. */
const TAKEOVER_TIMEOUT_MS = 30_000;

describe('KafkaPartitionedRunner repartition topics under crashes', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  const workers: Worker[] = [];
  const readers: TopicReader[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-repartition-crash');
    admin = kafka.admin();
    await admin.connect();
    entry = compileRepartitionWorker();
  });

  afterAll(async () => {
    for (const w of workers) await kill(w);
    for (const r of readers) await r.stop().catch(() => {});
    await admin?.disconnect();
  });

  it('SIGKILL of stage 2, then of stage 1, mid-run: window totals, payments and dead letters exactly once', async () => {
    const log: string[] = [];
    onTestFailed(() => {
      console.error(
        `repartition crash test failed; seed ${SEED} (REPARTITION_CRASH_SEED=${SEED} reproduces the input and kill moments)\n` +
          `${log.join('\n')}\n${workers.map((w) => `${w.name}: ${JSON.stringify(w.events.slice(-40))}\nstderr: ${w.stderr().slice(-2000)}`).join('\n')}`,
      );
    });
    const random = mulberry32(SEED);
    const started = Date.now();
    const app1 = uniqueName('prc1');
    const app2 = uniqueName('prc2');
    const input = `${app1}-in`;
    const repartition = `${app1}-by-merchant`;
    const output = `${app2}-out`;
    await createTopic(admin, input, PARTITIONS);
    await createTopic(admin, output, 2);
    const data = await fillPayments(kafka, input, {
      seed: SEED,
      events: EVENTS,
      partitions: PARTITIONS,
      accounts: 40,
      merchants: 6,
      poison: POISON,
      stepMs: 50,
    });
    const base = {
      brokers: kafkaBrokers(),
      commitIntervalMs: COMMIT_INTERVAL_MS,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      txnPauseMs: TXN_PAUSE_MS,
    };
    const stage1: RepartitionWorkerConfig = {
      ...base,
      stage: 'rekey',
      app: app1,
      input,
      output: repartition,
      repartitions: REPARTITIONS,
      maxRecordsPerSecondPerTask: RATE_PER_TASK,
    };
    const stage2: RepartitionWorkerConfig = {
      ...base,
      stage: 'windows',
      app: app2,
      input: repartition,
      output,
    };
    const start = async (name: string, config: RepartitionWorkerConfig): Promise<Worker> => {
      const w = startRepartitionWorker(entry, name, config);
      workers.push(w);
      await w.waitFor((e) => e.type === 'ready', 30_000);
      return w;
    };
    const allTasks = (w: Worker, partitions: number): Promise<unknown> =>
      Promise.all(
        Array.from({ length: partitions }, (_, p) =>
          w.waitFor((e) => e.type === 'task-started' && e.partition === p, TAKEOVER_TIMEOUT_MS),
        ),
      );
    const mark = (what: string): void => {
      const payments = rep.records.filter((r) => r.value !== '').length;
      log.push(
        `${Date.now() - started} ms: ${what} (payments ${payments}/${data.payments.size}, window totals ${out.records.length}/${data.expected.size})`,
      );
    };

    const s1 = await start('S1', stage1); // creates the repartition and dead-letter topics
    const out = new TopicReader(kafka, output);
    const rep = new TopicReader(kafka, repartition);
    const dlq = new TopicReader(kafka, `${app1}-dead-letters`);
    // The topics as written, aborted transactions included: what the kills aborted.
    const rawRep = new TopicReader(kafka, repartition, true);
    const rawOut = new TopicReader(kafka, output, true);
    readers.push(out, rep, dlq, rawRep, rawOut);
    await Promise.all(readers.map((r) => r.start()));
    const s2 = await start('S2', stage2);
    await allTasks(s2, REPARTITIONS);
    await out.waitUntil((r) => r.length > 0, 'first window total', 30_000);
    mark('first window total');

    // Stage 2 dies at a seeded moment and comes back; stage 1 keeps filling the repartition topic.
    await new Promise((r) => setTimeout(r, Math.round(500 + random() * 3500)));
    await s2.waitFor((e) => e.type === 'txn-open', 30_000, s2.events.length);
    await kill(s2);
    const totalsAtKill2 = out.records.length;
    mark('S2 killed');
    const s2b = await start('S2b', stage2);
    await allTasks(s2b, REPARTITIONS);
    mark('S2b runs all stage 2 tasks');

    // Then stage 1.
    await new Promise((r) => setTimeout(r, Math.round(500 + random() * 2500)));
    await s1.waitFor((e) => e.type === 'txn-open', 30_000, s1.events.length);
    await kill(s1);
    const paymentsAtKill1 = rep.records.filter((r) => r.value !== '').length;
    mark('S1 killed');
    const s1b = await start('S1b', stage1);
    await allTasks(s1b, PARTITIONS);
    mark('S1b runs all stage 1 tasks');

    await out.waitUntil((r) => r.length >= data.expected.size, `${data.expected.size} window totals`, 90_000);
    await dlq.waitUntil((r) => r.length >= POISON, `${POISON} dead letters`, 30_000);
    await rep.waitUntil(
      (records) => idleUpstreamTasks(records, REPARTITIONS) === PARTITIONS,
      'idle marks of all upstream tasks in all partitions',
      30_000,
    );
    await waitForInputCommitted(admin, app1, input, 30_000);
    const exit1 = await terminate(s1b);
    await rep.waitForEnd(30_000);
    await waitForGroupOffsets(admin, app2, repartition, offsetsAfter(rep.records), 30_000);
    const exit2 = await terminate(s2b);
    await Promise.all([out, dlq, rawRep, rawOut].map((r) => r.waitForEnd(30_000)));
    const abortedPayments =
      rawRep.records.filter((r) => r.value !== '').length - rep.records.filter((r) => r.value !== '').length;
    const abortedTotals = rawOut.records.length - out.records.length;
    mark('done');

    const failures = workers.flatMap((w) => eventsOf(w, 'task-failed'));
    const restarted = [...eventsOf(s2b, 'task-started'), ...eventsOf(s1b, 'task-started')];
    console.log(
      `repartition crash (seed ${SEED}): ${EVENTS} payments + ${POISON} poison, ${RATE_PER_TASK}/s per stage 1 task; ` +
        `${log.join('; ')}; restores ${restarted.map((e) => `p${e.partition} ${e.restoreMs} ms`).join(', ')}; ` +
        `aborted by the kills: ${abortedPayments} payments, ${abortedTotals} window totals; ` +
        `${failures.length} task failures (${[...new Set(failures.map((f) => f.error?.slice(0, 80)))].join(' | ')})`,
    );

    // The data first: each of these is what exactly-once across both kills means.
    expect(windowProblems(out.records, data)).toEqual([]);
    expect(
      repartitionProblems(rep.records, data, {
        sources: PARTITIONS,
        partitions: REPARTITIONS,
        finalWatermarks: true,
        finalIdle: true,
      }),
    ).toEqual([]);
    expect(deadLetterProblems(dlq.records, data, input)).toEqual([]);
    // Both kills landed mid-run, inside transactions that had written outputs.
    expect(totalsAtKill2).toBeLessThan(data.expected.size);
    expect(paymentsAtKill1).toBeLessThan(data.payments.size);
    expect(abortedTotals).toBeGreaterThan(0);
    expect(abortedPayments).toBeGreaterThan(0);
    // The restarted processes continued from the killed ones' committed snapshots.
    for (const e of restarted) expect(e.restoredCheckpointId, `${JSON.stringify(e)}`).not.toBeNull();
    expect(offsetMismatches(workers)).toEqual([]);
    expect([exit1, exit2]).toEqual([0, 0]);
    expect(workers.flatMap((w) => eventsOf(w, 'fatal'))).toEqual([]);
  }, 150_000);
});
