/**
 * KafkaPartitionedRunner with `guarantee: 'at-least-once'` (no transactions: each commit sends the
 * outputs, then the changelog, then commits the input offset): stage 1 of the repartition
 * pipeline (payments keyed by account re-keyed by merchant, poison records to the dead-letter
 * topic) in a worker process that is killed with SIGKILL at a seeded moment and restarted. Every
 * payment must reach the output and every poison record the dead-letter topic at least once;
 * duplicates (what the kill repeated) are allowed and reported.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { mulberry32 } from '../../util/mulberry32.js';
import { kafkaBrokers } from './broker-control.js';
import {
  eventsOf,
  kill,
  terminate,
  type Worker,
  waitForInputCommitted,
} from './fixtures/partitioned-harness.js';
import { fillPayments } from './fixtures/payments-input.js';
import type { Payment } from './fixtures/repartition-pipeline.js';
import type { RepartitionWorkerConfig } from './fixtures/repartition-worker.js';
import { compileRepartitionWorker, startRepartitionWorker } from './fixtures/repartition-workers.js';
import { type ReadTopicRecord, TopicReader } from './fixtures/topic-reader.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

const SEED = Number(process.env.AT_LEAST_ONCE_SEED ?? Date.now() % 1_000_000);
const PARTITIONS = 4;
const EVENTS = 3000;
const POISON = 8;
/** 4 tasks: 400 payments/s at most, so the input lasts ≥ 7.5 s, past the kill. */
const RATE_PER_TASK = 100;

describe('KafkaPartitionedRunner at-least-once', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  const workers: Worker[] = [];
  const readers: TopicReader[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-at-least-once');
    admin = kafka.admin();
    await admin.connect();
    entry = compileRepartitionWorker();
  });

  afterAll(async () => {
    for (const w of workers) await kill(w);
    for (const r of readers) await r.stop().catch(() => {});
    await admin?.disconnect();
  });

  it('every output and dead letter at least once across a SIGKILL', async () => {
    onTestFailed(() => {
      console.error(
        `at-least-once test failed; seed ${SEED} (AT_LEAST_ONCE_SEED=${SEED} reproduces the input and kill moment)\n` +
          workers
            .map(
              (w) => `${w.name}: ${JSON.stringify(w.events.slice(-30))}\nstderr: ${w.stderr().slice(-2000)}`,
            )
            .join('\n'),
      );
    });
    const random = mulberry32(SEED);
    const started = Date.now();
    const app = uniqueName('pal');
    const input = `${app}-in`;
    const output = `${app}-by-merchant`;
    await createTopic(admin, input, PARTITIONS);
    const data = await fillPayments(kafka, input, {
      seed: SEED,
      events: EVENTS,
      partitions: PARTITIONS,
      accounts: 40,
      merchants: 6,
      poison: POISON,
      stepMs: 50,
    });
    const config: RepartitionWorkerConfig = {
      brokers: kafkaBrokers(),
      stage: 'rekey',
      app,
      input,
      output,
      repartitions: 2,
      commitIntervalMs: 200,
      sessionTimeoutMs: 6000,
      guarantee: 'at-least-once',
      maxRecordsPerSecondPerTask: RATE_PER_TASK,
    };
    const a = startRepartitionWorker(entry, 'A', config);
    workers.push(a);
    await a.waitFor((e) => e.type === 'ready', 30_000);
    const out = new TopicReader(kafka, output);
    const dlq = new TopicReader(kafka, `${app}-dead-letters`);
    readers.push(out, dlq);
    await Promise.all(readers.map((r) => r.start()));
    await out.waitUntil((r) => paymentsIn(r).length > 0, 'first output', 30_000);

    const delay = Math.round(1000 + random() * 3000);
    await new Promise((r) => setTimeout(r, delay));
    const atKill = paymentsIn(out.records).length;
    await kill(a);
    const b = startRepartitionWorker(entry, 'B', config);
    workers.push(b);
    await b.waitFor((e) => e.type === 'ready', 30_000);

    const ids = (records: readonly ReadTopicRecord[]): Set<number> =>
      new Set(paymentsIn(records).map((p) => p.id));
    await out.waitUntil(
      (r) => ids(r).size >= data.payments.size,
      `all ${data.payments.size} payments`,
      60_000,
    );
    await dlq.waitUntil((r) => new Set(r.map(origin)).size >= POISON, `${POISON} dead letters`, 30_000);
    await waitForInputCommitted(admin, app, input, 30_000);
    const exit = await terminate(b);
    await Promise.all(readers.map((r) => r.waitForEnd(30_000)));

    const payments = paymentsIn(out.records);
    const seen = ids(out.records);
    const missing = [...data.payments.keys()].filter((id) => !seen.has(id));
    const unknown = payments.filter((p) => !data.payments.has(p.id));
    const poison = new Set(data.poison.map((p) => `${p.partition}@${p.offset}`));
    const letters = new Set(dlq.records.map(origin));
    console.log(
      `at-least-once (seed ${SEED}): ${EVENTS} payments + ${POISON} poison; killed after ${delay} ms with ` +
        `${atKill} outputs read; ${payments.length} outputs for ${seen.size} payments ` +
        `(${payments.length - seen.size} duplicates), ${dlq.records.length} dead letters for ${letters.size} poison records; ` +
        `${eventsOf(b, 'task-started').length} task starts in B; ${Date.now() - started} ms`,
    );
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
    expect([...letters].sort()).toEqual([...poison].sort());
    expect(dlq.records.every((r) => (r.headers['dlq.reason'] ?? '') !== '')).toBe(true);
    // The kill landed mid-run, and B continued from A's committed work, not from the start.
    expect(atKill).toBeLessThan(data.payments.size);
    expect(payments.length).toBeLessThan(2 * data.payments.size);
    expect(eventsOf(b, 'task-started').every((e) => e.restoredCheckpointId !== null)).toBe(true);
    expect(exit).toBe(0);
  }, 90_000);
});

/** The payments among the records (not the watermark records). */
function paymentsIn(records: readonly ReadTopicRecord[]): Payment[] {
  return records
    .filter((r) => r.value !== '' && r.value !== null)
    .map((r) => JSON.parse(r.value!) as Payment);
}

function origin(r: ReadTopicRecord): string {
  return `${r.headers['dlq.partition']}@${r.headers['dlq.offset']}`;
}
