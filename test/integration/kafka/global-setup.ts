/**
 * vitest global setup of the `integration` project: starts one Kafka broker for the whole run, unless
 * `KAFKA_BROKERS` names a cluster already. vitest runs it only when integration test files are selected.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import {
  isProcessAlive,
  kafkaVersion,
  readBrokerState,
  startKafkaBroker,
  stopKafkaBroker,
  waitForKafka,
} from './kafka-broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap address of the Kafka cluster the integration tests use (`host:port[,host:port]`). */
    kafkaBrokers: string;
    /** State file of the broker started by the global setup; empty when `KAFKA_BROKERS` was given. */
    kafkaBrokerStateFile: string;
  }
}

const log = (message: string) => process.stderr.write(`[kafka] ${message}\n`);

/** Starts the broker (or checks the given one), provides its address and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    await waitForKafka(external, 30_000);
    project.provide('kafkaBrokers', external);
    project.provide('kafkaBrokerStateFile', '');
    return async () => {};
  }
  const started = Date.now();
  const state = await startKafkaBroker({ version: kafkaVersion(), log });
  log(`broker ready in ${((Date.now() - started) / 1000).toFixed(1)} s (state ${state.stateFile})`);
  project.provide('kafkaBrokers', state.brokers);
  project.provide('kafkaBrokerStateFile', state.stateFile);
  process.env.KAFKA_BROKERS = state.brokers;
  process.env.KAFKA_BROKER_STATE = state.stateFile;
  // When vitest exits without running the teardown (SIGTERM, a crash), still kill the broker, also one
  // that a test worker restarted (its pid is in the state file), and delete its temp dir.
  const onExit = () => {
    try {
      const { pid } = readBrokerState(state.stateFile);
      if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {}
    if (process.env.KAFKA_KEEP_DIR !== '1') rmSync(state.dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    // Tests may have restarted the broker: the state file has its current pid.
    const current = readBrokerState(state.stateFile);
    await stopKafkaBroker(current, { keepDir: process.env.KAFKA_KEEP_DIR === '1' });
    if (process.env.KAFKA_KEEP_DIR === '1') log(`kept ${current.dir}`);
    delete process.env.KAFKA_BROKERS;
    delete process.env.KAFKA_BROKER_STATE;
  };
}
