/**
 * DESIGN §4's Kafka mode (KafkaPartitionedRunner), rebalances while running: a throttled
 * 4-partition input; worker A starts alone and runs all four tasks; once it committed some work
 * worker B joins (partitions move from A to B: A's tasks stop with reason 'revoked', B's restore
 * from the changelog), then worker C joins, then B is stopped gracefully (SIGTERM: it stops its
 * tasks without committing and leaves the group) while events still flow and its partitions move
 * to A and C. A read_committed reader must see, per key, exactly the counts 1..n in order, and
 * every task must have started at the group's committed offset.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { mulberry32 } from '../../util/mulberry32.js';
import { kafkaBrokers } from './broker-control.js';
import {
  compileWorker,
  eventsOf,
  fillInput,
  kill,
  OutputVerifier,
  offsetMismatches,
  startWorker,
  terminate,
  type Worker,
  type WorkerEvent,
  waitForInputCommitted,
} from './fixtures/partitioned-harness.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

const SEED = Number(process.env.REBALANCE_TEST_SEED ?? Date.now() % 1_000_000);
const EVENTS = 10_000;
const KEYS = 120;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;
/** 4 tasks: 400 events/s at most, so the input lasts across the three rebalances (≥ 25 s). */
const RATE_PER_TASK = 100;
const REBALANCE_TIMEOUT_MS = 30_000;

describe('KafkaPartitionedRunner rebalances while running', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    kafka = testKafka('partitioned-rebalance');
    admin = kafka.admin();
    await admin.connect();
    entry = compileWorker();
  });

  afterAll(async () => {
    for (const w of workers) await kill(w);
    await admin?.disconnect();
  });

  it('workers join and one leaves mid-run: every output exactly once, in order', async () => {
    const log: string[] = [];
    onTestFailed(() => {
      console.error(
        `rebalance test failed; seed ${SEED} (REBALANCE_TEST_SEED=${SEED} reproduces the timing choices)\n` +
          `${log.join('\n')}\n${workers.map((w) => `${w.name}: ${summary(w.events)}\nstderr: ${w.stderr().slice(-2000)}`).join('\n')}`,
      );
    });
    const random = mulberry32(SEED);
    /** A seeded amount of output to wait for between the steps: 4–10 % of the input. */
    const step = (): number => Math.round(EVENTS * (0.04 + random() * 0.06));
    const app = uniqueName('prb');
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
    };
    const verifier = new OutputVerifier(kafka, output);
    await verifier.start(uniqueName('verify'));
    const started = Date.now();
    const mark = (what: string): void => {
      log.push(`${Date.now() - started} ms: ${what} (outputs ${verifier.total}/${EVENTS})`);
    };

    // A alone: all four tasks, and some committed work.
    const a = startWorker(entry, 'A', config);
    workers.push(a);
    await Promise.all(
      [0, 1, 2, 3].map((p) =>
        a.waitFor((e) => e.type === 'task-started' && e.partition === p, REBALANCE_TIMEOUT_MS),
      ),
    );
    await verifier.waitForTotal(step(), 30_000);
    mark('A runs 4 tasks');

    // B joins: partitions move from A to B.
    const aBeforeB = a.events.length;
    const b = startWorker(entry, 'B', config);
    workers.push(b);
    await b.waitFor((e) => e.type === 'task-started', REBALANCE_TIMEOUT_MS);
    await a.waitFor(
      (e) => e.type === 'task-stopped' && e.reason === 'revoked',
      REBALANCE_TIMEOUT_MS,
      aBeforeB,
    );
    await verifier.waitForTotal(verifier.total + step(), 30_000);
    mark(`B joined (A: ${lastAssigned(a)}, B: ${lastAssigned(b)})`);

    // C joins: a second rebalance among three members.
    const aBeforeC = a.events.length;
    const bBeforeC = b.events.length;
    const c = startWorker(entry, 'C', config);
    workers.push(c);
    await c.waitFor((e) => e.type === 'task-started', REBALANCE_TIMEOUT_MS);
    // Both older members took part in that rebalance.
    await a.waitFor((e) => e.type === 'assigned', REBALANCE_TIMEOUT_MS, aBeforeC);
    await b.waitFor((e) => e.type === 'assigned', REBALANCE_TIMEOUT_MS, bBeforeC);
    await verifier.waitForTotal(verifier.total + step(), 30_000);
    mark(`C joined (A: ${lastAssigned(a)}, B: ${lastAssigned(b)}, C: ${lastAssigned(c)})`);

    // B leaves gracefully while events still flow: its partitions move to A and C.
    const bPartitions = [...(lastAssignment(b) ?? [])];
    expect(bPartitions.length).toBeGreaterThan(0);
    const aBeforeStop = a.events.length;
    const cBeforeStop = c.events.length;
    const outputsAtStop = verifier.total;
    const bExit = await terminate(b);
    mark(`B stopped with SIGTERM, exit ${bExit}; its partitions ${bPartitions.join(',')}`);
    const takeovers = await Promise.all(
      bPartitions.map((p) =>
        Promise.race([
          a.waitFor((e) => e.type === 'task-started' && e.partition === p, REBALANCE_TIMEOUT_MS, aBeforeStop),
          c.waitFor((e) => e.type === 'task-started' && e.partition === p, REBALANCE_TIMEOUT_MS, cBeforeStop),
        ]),
      ),
    );
    mark(`B's partitions taken over (A: ${lastAssigned(a)}, C: ${lastAssigned(c)})`);

    await verifier.waitForTotal(EVENTS, 120_000);
    await waitForInputCommitted(admin, app, input, 30_000);
    // Stop the rest gracefully: afterwards nothing writes, so the output is final once read to its end.
    const exits = [await terminate(a), await terminate(c)];
    await verifier.waitForEnd(30_000);
    await verifier.stop();
    mark('done');

    const failures = workers.flatMap((w) => eventsOf(w, 'task-failed'));
    console.log(
      `rebalance (seed ${SEED}): ${EVENTS} events, ${KEYS} keys, ${RATE_PER_TASK} events/s per task; ` +
        `${log.join('; ')}; task starts ${workers.map((w) => `${w.name} ${eventsOf(w, 'task-started').length}`).join(', ')}; ` +
        `takeovers of B's partitions ${takeovers.map((e) => `p${e.partition} ${e.restoreMs} ms from checkpoint ${e.restoredCheckpointId}`).join(', ')}; ` +
        `${failures.length} task failures (${[...new Set(failures.map((f) => f.error?.slice(0, 80)))].join(' | ')}); ` +
        `${verifier.redelivered} redelivered to the reader`,
    );

    // Partitions moved between processes.
    expect(eventsOf(b, 'task-started').length).toBeGreaterThan(0);
    expect(eventsOf(c, 'task-started').length).toBeGreaterThan(0);
    expect(
      eventsOf(a, 'task-stopped', aBeforeB).filter((e) => e.reason === 'revoked').length,
    ).toBeGreaterThan(0);
    // B stopped cleanly, with events still to process, and stopped each of its tasks.
    expect(bExit).toBe(0);
    expect(outputsAtStop).toBeLessThan(EVENTS);
    const bStops = eventsOf(b, 'task-stopped').filter((e) => e.reason === 'runner stopped');
    expect(bStops.map((e) => e.partition).sort()).toEqual(expect.arrayContaining(bPartitions));
    // B's partitions continued from B's snapshots (its tasks had committed: each had run a while).
    for (const e of takeovers) expect(e.restoredCheckpointId).not.toBeNull();
    expect(exits).toEqual([0, 0]);
    expect(workers.flatMap((w) => eventsOf(w, 'fatal'))).toEqual([]);

    expect(verifier.problems(expected)).toEqual([]);
    expect(verifier.total).toBe(EVENTS);
    // Every task started at the offset committed with its snapshot, which is the group's offset.
    expect(offsetMismatches(workers)).toEqual([]);
  }, 180_000);
});

function lastAssignment(w: Worker): readonly number[] | undefined {
  return [...w.events].reverse().find((e) => e.type === 'assigned')?.partitions;
}

function lastAssigned(w: Worker): string {
  return `[${(lastAssignment(w) ?? []).join(',')}]`;
}

/** One line per worker for failure output: its events in order, compactly. */
function summary(events: readonly WorkerEvent[]): string {
  return events
    .map(
      (e) =>
        `${e.type}${e.partition !== undefined ? `:${e.partition}` : ''}${e.partitions ? `[${e.partitions.join(',')}]` : ''}` +
        `${e.reason ? `(${e.reason})` : ''}${e.error ? `(${e.error.slice(0, 120)})` : ''}`,
    )
    .join(' ');
}
