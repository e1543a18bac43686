/**
 * DESIGN §4's Kafka mode (KafkaPartitionedRunner), the broker restarts mid-run: two worker
 * processes share a throttled 4-partition input; once they committed part of it the (single)
 * broker is stopped and started again on the same ports and log dir, cleanly (SIGTERM) in one
 * case and crashed (SIGKILL) in the other. Transactions in flight fail, tasks restart from the
 * changelog, consumers reconnect; the job must then finish the input, and a read_committed
 * reader must see, per key, exactly the counts 1..n in order.
 */
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { mulberry32 } from '../../util/mulberry32.js';
import {
  brokerLog,
  canControlBroker,
  isBrokerRunning,
  kafkaBrokers,
  restartBroker,
  startBroker,
} from './broker-control.js';
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

const SEED = Number(process.env.BROKER_RESTART_TEST_SEED ?? Date.now() % 1_000_000);
const EVENTS = 6000;
const KEYS = 120;
const COMMIT_INTERVAL_MS = 200;
const SESSION_TIMEOUT_MS = 6000;
/** 4 tasks: 400 events/s at most, so the input lasts well past the restart (≥ 15 s). */
const RATE_PER_TASK = 100;

describe.skipIf(!canControlBroker())('KafkaPartitionedRunner across a broker restart', () => {
  let kafka: Kafka;
  let admin: Admin;
  let entry: string;
  let workers: Worker[] = [];
  const random = mulberry32(SEED);

  beforeAll(async () => {
    kafka = testKafka('partitioned-broker-restart');
    admin = kafka.admin();
    await admin.connect();
    entry = compileWorker();
  });

  afterEach(async () => {
    for (const w of workers) await kill(w);
    workers = [];
  });

  afterAll(async () => {
    await admin?.disconnect();
    // Leave a serving broker to the files that run next, even when a test here failed midway.
    if (!isBrokerRunning()) await startBroker();
  });

  it.each([
    { how: 'clean shutdown', crash: false },
    { how: 'crash (SIGKILL)', crash: true },
  ])(
    'recovers without loss or duplicates after a broker $how',
    async ({ how, crash }) => {
      const log: string[] = [];
      onTestFailed(async () => {
        console.error(
          `broker restart (${how}) failed; seed ${SEED} (BROKER_RESTART_TEST_SEED=${SEED} reproduces the timing choices)\n` +
            `${log.join('\n')}\n${workers.map((w) => `${w.name}: ${summary(w.events)}\nstderr: ${w.stderr().slice(-2000)}`).join('\n')}\n` +
            `--- Kafka broker log (tail) ---\n${await brokerLog()}`,
        );
      });
      const app = uniqueName(crash ? 'pbk' : 'pbs');
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

      const a = startWorker(entry, 'A', config);
      workers.push(a);
      await a.waitFor((e) => e.type === 'ready', 30_000);
      const b = startWorker(entry, 'B', config);
      workers.push(b);
      // Both workers run tasks (the group settled on two members).
      await b.waitFor((e) => e.type === 'task-started', 30_000);
      await a.waitFor((e) => e.type === 'assigned' && (e.partitions?.length ?? 0) < 4, 30_000);
      mark(`A and B run tasks (A: ${lastAssigned(a)}, B: ${lastAssigned(b)})`);
      // A seeded moment: after 15–35 % of the output committed.
      await verifier.waitForTotal(Math.round(EVENTS * (0.15 + random() * 0.2)), 60_000);
      const beforeRestart = verifier.total;
      const eventsBefore = workers.map((w) => w.events.length);
      mark(`restarting the broker (${how})`);
      await restartBroker({ crash });
      const atRestart = verifier.total;
      mark('broker serves again');
      // Work is committed after the restart too.
      await verifier.waitForTotal(atRestart + 1, 60_000);
      mark('first outputs after the restart');
      await verifier.waitForTotal(EVENTS, 120_000);
      await waitForInputCommitted(admin, app, input, 30_000);
      mark('all outputs read');
      // Stop the workers gracefully: afterwards nothing writes, so the output is final once read to its end.
      const exits = [await terminate(a), await terminate(b)];
      await verifier.waitForEnd(30_000);
      await verifier.stop();
      mark('done');

      const after = workers.flatMap((w, i) => w.events.slice(eventsBefore[i]));
      const failures = after.filter((e) => e.type === 'task-failed');
      const restarts = after.filter((e) => e.type === 'task-started');
      console.log(
        `broker restart (${how}, seed ${SEED}): ${EVENTS} events, ${KEYS} keys, ${RATE_PER_TASK} events/s per task; ` +
          `${log.join('; ')}; after the restart: ${restarts.length} task starts ` +
          `(${restarts.map((e) => `p${e.partition} from checkpoint ${e.restoredCheckpointId}`).join(', ')}), ` +
          `${failures.length} task failures (${[...new Set(failures.map((f) => f.error?.slice(0, 80)))].join(' | ')}), ` +
          `consumer crashes ${after.filter((e) => e.type === 'consumer-crashed').length}; ` +
          `${verifier.redelivered} records redelivered to the reader`,
      );

      // Work was committed before the restart, and part of the input was left for after it.
      expect(beforeRestart).toBeGreaterThan(0);
      expect(atRestart).toBeLessThan(EVENTS);
      // The workers survived the restart (no fatal error, no dead consumer) and stopped cleanly.
      expect(workers.flatMap((w) => [...eventsOf(w, 'fatal'), ...eventsOf(w, 'consumer-crashed')])).toEqual(
        [],
      );
      expect(exits).toEqual([0, 0]);

      expect(verifier.problems(expected)).toEqual([]);
      expect(verifier.total).toBe(EVENTS);
      // Every task started at the offset committed with its snapshot, which is the group's offset.
      expect(offsetMismatches(workers)).toEqual([]);
    },
    180_000,
  );
});

function lastAssigned(w: Worker): string {
  return `[${([...w.events].reverse().find((e) => e.type === 'assigned')?.partitions ?? []).join(',')}]`;
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
