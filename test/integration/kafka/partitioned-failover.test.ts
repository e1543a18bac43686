/**
 * DESIGN §4's Kafka mode (KafkaPartitionedRunner), failover: two worker processes share a
 * 4-partition input in one group; one dies for good (SIGKILL); the other takes over its
 * partitions with their state from the changelog, and the keyed running counts continue: a
 * read_committed reader sees, per key, exactly the counts 1..n, in order.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const EVENTS = 8000;
const KEYS = 120;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;

describe('KafkaPartitionedRunner failover', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-failover');
    admin = kafka.admin();
    await admin.connect();
    entry = compileWorker();
  });

  afterAll(async () => {
    for (const w of workers) await kill(w);
    await admin?.disconnect();
  });

  it('a surviving worker takes over the partitions of a dead one, with their state', async () => {
    const app = uniqueName('pfo');
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
      maxRecordsPerSecondPerTask: 150,
    };
    const verifier = new OutputVerifier(kafka, output);
    await verifier.start(uniqueName('verify'));
    const a = startWorker(entry, 'A', config);
    workers.push(a);
    await a.waitFor((e) => e.type === 'ready', 30_000);
    const b = startWorker(entry, 'B', config);
    workers.push(b);
    await b.waitFor((e) => e.type === 'task-started', 40_000);
    // Both own partitions now; let them commit a while.
    await new Promise((r) => setTimeout(r, 3000));
    const lastAssignment = [...b.events].reverse().find((e) => e.type === 'assigned');
    const victimPartitions = lastAssignment?.partitions ?? [];
    expect(victimPartitions.length).toBeGreaterThan(0);
    const before = a.events.length;
    const killedAt = Date.now();
    await kill(b);
    const progressAtKill = verifier.total;
    const takeovers = await Promise.all(
      victimPartitions.map((p) =>
        a.waitFor((e) => e.type === 'task-started' && e.partition === p, 60_000, before),
      ),
    );
    const takeoverMs = Math.max(...takeovers.map((e) => e.t)) - killedAt;
    await verifier.waitForTotal(EVENTS, 120_000);
    await new Promise((r) => setTimeout(r, 1500)); // nothing extra may follow
    await verifier.stop();
    console.log(
      `failover: commit interval ${COMMIT_INTERVAL_MS} ms, session timeout ${SESSION_TIMEOUT_MS} ms, ` +
        `outputs at kill ${progressAtKill}/${EVENTS}, partitions ${victimPartitions.join(',')} taken over after ${takeoverMs} ms ` +
        `(restore ${takeovers.map((e) => `p${e.partition}:${e.restoreMs}ms from checkpoint ${e.restoredCheckpointId}`).join(', ')})`,
    );
    // The taken-over tasks resumed from a snapshot (state), not from scratch.
    for (const e of takeovers) expect(e.restoredCheckpointId).not.toBeNull();
    expect(verifier.problems(expected)).toEqual([]);
    expect(verifier.total).toBe(EVENTS);
    // Every task started at the offset committed with its snapshot, which is the group's offset.
    expect(offsetMismatches(workers)).toEqual([]);
    // The group's committed offsets are the end of the input.
    const committed = await admin.fetchOffsets({ groupId: app, topics: [input] });
    const ends = await admin.fetchTopicOffsets(input);
    for (const p of committed[0]!.partitions) {
      expect(p.offset).toBe(ends.find((x) => x.partition === p.partition)!.high);
    }
  }, 240_000);

  it('a frozen worker (a zombie: SIGSTOP past the session timeout, then SIGCONT) is fenced', async () => {
    const app = uniqueName('pzo');
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
      maxRecordsPerSecondPerTask: 150,
    };
    const verifier = new OutputVerifier(kafka, output);
    await verifier.start(uniqueName('verify'));
    const a = startWorker(entry, 'A', config);
    workers.push(a);
    await a.waitFor((e) => e.type === 'ready', 30_000);
    const b = startWorker(entry, 'B', config);
    workers.push(b);
    await b.waitFor((e) => e.type === 'task-started', 40_000);
    await new Promise((r) => setTimeout(r, 2000));
    const victimPartitions = [...b.events].reverse().find((e) => e.type === 'assigned')?.partitions ?? [];
    expect(victimPartitions.length).toBeGreaterThan(0);
    const before = a.events.length;
    b.child.kill('SIGSTOP');
    await Promise.all(
      victimPartitions.map((p) =>
        a.waitFor((e) => e.type === 'task-started' && e.partition === p, 60_000, before),
      ),
    );
    await new Promise((r) => setTimeout(r, 2000));
    const beforeResume = b.events.length;
    b.child.kill('SIGCONT'); // B's tasks still believe they own their partitions
    await verifier.waitForTotal(EVENTS, 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    await verifier.stop();
    const zombieFailures = b.events.slice(beforeResume).filter((e) => e.type === 'task-failed');
    console.log(
      `zombie: partitions ${victimPartitions.join(',')} of the frozen worker taken over; after SIGCONT its tasks failed ${zombieFailures.length} times (${[
        ...new Set(zombieFailures.map((e) => e.error?.slice(0, 100))),
      ].join(' | ')}); events after SIGCONT: ${b.events
        .slice(beforeResume)
        .map((e) => `${e.type}${e.partition !== undefined ? `:${e.partition}` : ''}`)
        .join(' ')}`,
    );
    expect(verifier.problems(expected)).toEqual([]);
    expect(verifier.total).toBe(EVENTS);
    // Every task started at the offset committed with its snapshot, which is the group's offset.
    expect(offsetMismatches(workers)).toEqual([]);
  }, 240_000);
});
