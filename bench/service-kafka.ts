/**
 * Kafka mode of the service benchmark (`MODE=kafka`): the broker the service child runs against,
 * and the environment of one run (its own application id, hence its own topics and groups).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);

/** The repository root (`dist/bench/..` when compiled). */
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'test/integration/kafka/broker-cli.mjs');

/** The broker the benchmark uses. */
export interface BenchBroker {
  /** Bootstrap address (`host:port[,host:port]`). */
  readonly brokers: string;
  /** Whether this process started it (and stops it in {@link BenchBroker.stop}). */
  readonly started: boolean;
  /** The service environment of one run: a new application id, its topics, `partitions` each. */
  serviceEnv(partitions: number): { app: string; env: Record<string, string> };
  /** Deletes the topics of a run (`<app>-…`). */
  deleteTopics(app: string): Promise<void>;
  /** Stops the broker if this process started it. */
  stop(): Promise<void>;
}

/**
 * `KAFKA_BROKERS` from the environment, or a broker started with the integration tests' CLI
 * (`test/integration/kafka/broker-cli.mjs start`, Java 17 and Maven needed), stopped by `stop()`.
 * A broker the CLI reports as already running is used and left running.
 *
 * @example
 * ```ts
 * const broker = await startBenchBroker();
 * const { app, env } = broker.serviceEnv(4);
 * await broker.stop();
 * ```
 */
export async function startBenchBroker(): Promise<BenchBroker> {
  let brokers = process.env.KAFKA_BROKERS?.trim();
  let started = false;
  if (brokers === undefined || brokers === '') {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'start'], { cwd: ROOT });
    const m = /^KAFKA_BROKERS=(\S+)$/m.exec(stdout);
    if (m === null) throw new Error(`broker-cli start printed no KAFKA_BROKERS line:\n${stdout}\n${stderr}`);
    brokers = m[1]!;
    started = !/already running/.test(stderr);
  }
  const address = brokers;
  const kafka = new Kafka({
    clientId: 'bench-service',
    brokers: address.split(','),
    logLevel: logLevel.NOTHING,
  });
  return {
    brokers: address,
    started,
    serviceEnv(partitions) {
      const app = `bench-${randomUUID().slice(0, 8)}`;
      return {
        app,
        env: {
          KAFKA_BROKERS: address,
          KAFKA_APP_ID: app,
          KAFKA_EVENTS_TOPIC: `${app}-events`,
          KAFKA_ALERTS_TOPIC: `${app}-alerts`,
          KAFKA_TOPIC_PARTITIONS: String(partitions),
        },
      };
    },
    async deleteTopics(app) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${app}-`));
        if (topics.length > 0) await admin.deleteTopics({ topics });
      } finally {
        await admin.disconnect();
      }
    },
    async stop() {
      if (started) await run(process.execPath, [CLI, 'stop'], { cwd: ROOT });
    },
  };
}
