/**
 * DESIGN §4's Kafka mode (KafkaPartitionedRunner), exactly-once under crashes: a 4-partition
 * input pre-filled with keyed events; two worker processes share it in one group; the job keeps a
 * keyed running count (ValueState) and emits `key:count` for every event; worker B is killed with
 * SIGKILL at KILLS seeded random moments and restarted each time. A read_committed reader must
 * then see, per key, exactly the counts 1..n (each once, in order) and nothing else.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../util/mulberry32.js';
import { kafkaBrokers } from './broker-control.js';
import {
  compileWorker,
  fillInput,
  kill,
  OutputVerifier,
  offsetMismatches,
  startWorker,
  type Worker,
} from './fixtures/partitioned-harness.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

const SEED = Number(process.env.CRASH_TEST_SEED ?? 2026_1122);
const EVENTS = Number(process.env.PARTITIONED_CRASH_EVENTS ?? 20_000);
const KILLS = Number(process.env.PARTITIONED_CRASH_KILLS ?? 10);
const KEYS = 200;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;
/** Throttle per task, so the input lasts across the kills (4 tasks: 300 events/s at most). */
const RATE_PER_TASK = 75;
/** Transactions stay open ~100 ms after writing their outputs: many kills land inside one. */
const TXN_DELAY_MS = 100;

describe('KafkaPartitionedRunner exactly-once under crashes', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-crash');
    admin = kafka.admin();
    await admin.connect();
    entry = compileWorker();
  });

  afterAll(async () => {
    for (const w of workers) await kill(w);
    await admin?.disconnect();
  });

  it(`every output exactly once after ${KILLS} SIGKILLs of one of two workers`, async () => {
    const random = mulberry32(SEED);
    const app = uniqueName('pcr');
    const input = `${app}-in`;
    const output = `${app}-out`;
    await createTopic(admin, input, 4);
    await createTopic(admin, output, 4);
    const expected = await fillInput(kafka, input, EVENTS, KEYS);
    const config = {
      brokers: kafkaBrokers(),
      app,
      input,
      output,
      commitIntervalMs: COMMIT_INTERVAL_MS,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      maxRecordsPerSecondPerTask: RATE_PER_TASK,
      txnDelayMs: TXN_DELAY_MS,
    };
    const verifier = new OutputVerifier(kafka, output);
    await verifier.start(uniqueName('verify'));
    const started = Date.now();
    const a = startWorker(entry, 'A', config);
    workers.push(a);
    await a.waitFor((e) => e.type === 'ready', 30_000);
    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const b = startWorker(entry, `B${k}`, config);
      workers.push(b);
      await b.waitFor((e) => e.type === 'ready', 30_000);
      // A random moment: before, during or after its tasks' restore, mid-transaction, ...
      const delay = Math.round(500 + random() * 6000);
      await new Promise((r) => setTimeout(r, delay));
      const tasks = b.events.filter((e) => e.type === 'task-started').length;
      await kill(b);
      kills.push(`${delay}ms/${tasks} tasks/${verifier.total} outputs`);
    }
    const last = startWorker(entry, 'B-final', config);
    workers.push(last);
    await verifier.waitForTotal(EVENTS, 300_000);
    await new Promise((r) => setTimeout(r, 2000)); // nothing extra may follow
    await verifier.stop();
    // The same topic read_uncommitted: the writes of transactions the kills aborted are there too.
    const raw = new OutputVerifier(kafka, output, true);
    await raw.start(uniqueName('raw'));
    await raw.waitForTotal(EVENTS, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    await raw.stop();
    const failures = workers.flatMap((w) =>
      w.events.filter((e) => e.type === 'task-failed' || e.type === 'fatal'),
    );
    const takeovers = workers.flatMap((w) => w.events.filter((e) => e.type === 'task-started'));
    console.log(
      `crash test: ${EVENTS} events, ${KEYS} keys, commit interval ${COMMIT_INTERVAL_MS} ms, ` +
        `${KILLS} kills (${kills.join('; ')}), ${takeovers.length} task starts ` +
        `(restore p50 ${median(takeovers.map((e) => e.restoreMs ?? 0))} ms), ${failures.length} task failures ` +
        `(${[...new Set(failures.map((f) => f.error?.slice(0, 80)))].join(' | ')}), total ${Date.now() - started} ms; ` +
        `read_uncommitted sees ${raw.total} records (${raw.total - EVENTS} from aborted transactions)`,
    );
    expect(verifier.problems(expected)).toEqual([]);
    expect(verifier.total).toBe(EVENTS);
    // Every task started at the offset committed with its snapshot, which is the group's offset.
    expect(offsetMismatches(workers)).toEqual([]);
    // Kills did interrupt transactions that had written outputs (the test is not vacuous).
    expect(raw.total).toBeGreaterThan(EVENTS);
  }, 600_000);
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
