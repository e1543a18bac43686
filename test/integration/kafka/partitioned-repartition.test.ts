/**
 * DESIGN §3-§4's scale-out over Kafka (KafkaPartitionedRunner), no crash: a 4-partition input of
 * payments keyed by account, with poison records between them. Stage 1 re-keys the payments by
 * merchant through a 3-partition repartition topic that carries its tasks' watermarks (bounded
 * out-of-orderness, idleness); stage 2 reads it with `inputWatermarks: 'upstream'` and sums
 * payments per merchant in event-time tumbling windows. Both stages run in this process.
 * read_committed readers must see exactly the window totals a brute-force oracle computes from
 * the input, each once; every payment once in the repartition topic, never behind the combined
 * upstream watermark; and each poison record once in the dead-letter topic with its origin.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  KafkaPartitionedRunner,
  type PartitionRunnerEvent,
  WATERMARK_HEADERS,
} from '../../../src/core/connectors/kafka/partitioned/index.js';
import { waitForInputCommitted } from './fixtures/partitioned-harness.js';
import { fillPayments } from './fixtures/payments-input.js';
import {
  deadLetterProblems,
  idleUpstreamTasks,
  repartitionProblems,
  windowProblems,
} from './fixtures/repartition-checks.js';
import {
  merchantWindows,
  type Payment,
  rekeyByMerchant,
  type WindowTotal,
} from './fixtures/repartition-pipeline.js';
import { type ReadTopicRecord, TopicReader } from './fixtures/topic-reader.js';
import { offsetsAfter, waitForGroupOffsets } from './fixtures/wait-for-group-offsets.js';
import { testPort } from './kafka-connector-helpers.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

const SEED = Number(process.env.REPARTITION_TEST_SEED ?? Date.now() % 1_000_000);
const PARTITIONS = 4;
const REPARTITIONS = 3;
const EVENTS = 3000;
const POISON = 12;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;
/** Stage 1 takes ≥ 2.5 s over its input: many commits, so watermarks advance in many steps. */
const RATE_PER_TASK = 300;

describe('KafkaPartitionedRunner repartition topics', () => {
  let kafka: Kafka;
  let admin: Admin;
  const runners: { stop(): Promise<void> }[] = [];
  const readers: TopicReader[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-repartition');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const r of runners) await r.stop().catch(() => {});
    for (const r of readers) await r.stop().catch(() => {});
    await admin?.disconnect();
  });

  it('re-keys through a repartition topic with watermarks: window totals exactly once, poison to dead letters', async () => {
    const events: string[] = [];
    const log = (stage: string) => (e: PartitionRunnerEvent) => {
      if (e.type === 'committed') return;
      const { error, ...rest } = e as { error?: unknown };
      events.push(`${stage} ${JSON.stringify(rest)}${error !== undefined ? ` ${String(error)}` : ''}`);
    };
    onTestFailed(() => {
      console.error(
        `repartition test failed; seed ${SEED} (REPARTITION_TEST_SEED=${SEED} reproduces the input)\n${events.join('\n')}`,
      );
    });
    const started = Date.now();
    const app1 = uniqueName('prp1');
    const app2 = uniqueName('prp2');
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
    const port = testPort(kafka);
    const common = { port, commitIntervalMs: COMMIT_INTERVAL_MS, sessionTimeoutMs: SESSION_TIMEOUT_MS };
    const stage1 = new KafkaPartitionedRunner(
      rekeyByMerchant(
        {
          ...common,
          app: app1,
          input,
          output: repartition,
          maxRecordsPerSecondPerTask: RATE_PER_TASK,
          onEvent: log('stage1'),
        },
        REPARTITIONS,
      ),
    );
    runners.push(stage1);
    await stage1.start(); // creates the repartition and dead-letter topics
    const stage2 = new KafkaPartitionedRunner<Payment, WindowTotal>(
      merchantWindows({ ...common, app: app2, input: repartition, output, onEvent: log('stage2') }),
    );
    runners.push(stage2);
    await stage2.start();
    const out = new TopicReader(kafka, output);
    const rep = new TopicReader(kafka, repartition);
    const dlq = new TopicReader(kafka, `${app1}-dead-letters`);
    readers.push(out, rep, dlq);
    await Promise.all(readers.map((r) => r.start()));

    await out.waitUntil((r) => r.length >= data.expected.size, `${data.expected.size} window totals`, 60_000);
    await dlq.waitUntil((r) => r.length >= POISON, `${POISON} dead letters`, 30_000);
    // Once drained, every stage 1 task marks itself idle (after `idleMs`) and says so downstream.
    await rep.waitUntil(
      (records) => idleUpstreamTasks(records, REPARTITIONS) === PARTITIONS,
      'idle marks of all upstream tasks in all partitions',
      30_000,
    );
    await waitForInputCommitted(admin, app1, input, 30_000);
    await stage1.stop();
    // Nothing writes to the repartition topic any more: stage 2 must consume all of it.
    await rep.waitForEnd(30_000);
    await waitForGroupOffsets(admin, app2, repartition, offsetsAfter(rep.records), 30_000);
    // And past the last commit markers: the group's lag on the repartition topic reaches 0.
    await waitForInputCommitted(admin, app2, repartition, 10_000);
    await stage2.stop();
    await Promise.all(readers.map((r) => r.waitForEnd(30_000)));

    const watermarkRecords = rep.records.filter((r) => r.value === '').length;
    console.log(
      `repartition (seed ${SEED}): ${EVENTS} payments + ${POISON} poison on ${PARTITIONS} partitions -> ` +
        `${rep.records.length - watermarkRecords} payments and ${watermarkRecords} watermark records on ${REPARTITIONS} -> ` +
        `${out.records.length} window totals (expected ${data.expected.size}), ${dlq.records.length} dead letters; ` +
        `${Date.now() - started} ms`,
    );
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
    expect(out.records.length).toBe(data.expected.size);
    // Event time crossed the repartition topic step by step, not only at the end: every upstream
    // task wrote several watermarks, and windows fired while stage 1 still had payments to write.
    for (const [source, n] of distinctWatermarks(rep.records)) expect(n, source).toBeGreaterThanOrEqual(5);
    const lastPayment = Math.max(...rep.records.filter((r) => r.value !== '').map((r) => r.readAt));
    expect(out.records[0]!.readAt).toBeLessThan(lastPayment);
    expect(data.expected.size).toBeGreaterThan(50);
    expect(events.filter((e) => e.includes('"task-failed"'))).toEqual([]);
  }, 90_000);
});

/** Per upstream task, the number of distinct watermarks it wrote (to partition 0). */
function distinctWatermarks(records: readonly ReadTopicRecord[]): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const r of records) {
    const source = r.headers[WATERMARK_HEADERS.source];
    const watermark = r.headers[WATERMARK_HEADERS.watermark];
    if (r.partition !== 0 || source === undefined || watermark === undefined) continue;
    const set = seen.get(source) ?? new Set<string>();
    set.add(watermark);
    seen.set(source, set);
  }
  return new Map([...seen].map(([source, set]) => [source, set.size]));
}
