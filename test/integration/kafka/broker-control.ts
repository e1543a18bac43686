/**
 * Test-side control of the broker started by the global setup: its address, and stop / start / restart
 * on the same ports and log dir (for "broker restart mid-run" tests). Works from any test worker: the
 * broker's pid, ports and config live in the state file that the global setup wrote.
 */
import { inject } from 'vitest';
import {
  brokerLogTail,
  isProcessAlive,
  type KafkaBrokerState,
  launchKafkaBroker,
  readBrokerState,
  stopKafkaProcess,
  writeBrokerState,
} from './kafka-broker.js';

/** Bootstrap address of the cluster under test (`host:port[,host:port]`). */
export function kafkaBrokers(): string {
  const brokers = inject('kafkaBrokers') || process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('no Kafka broker: run the test through the vitest integration project');
  return brokers;
}

function stateFile(): string {
  return inject('kafkaBrokerStateFile') || process.env.KAFKA_BROKER_STATE || '';
}

/**
 * Whether this run owns the broker and can stop and restart it; false when the tests run against an
 * external cluster given by `KAFKA_BROKERS`. Use it to skip restart tests: `it.skipIf(!canControlBroker())`.
 */
export function canControlBroker(): boolean {
  return stateFile() !== '';
}

function state(): KafkaBrokerState {
  const file = stateFile();
  if (!file) throw new Error('the broker is external (KAFKA_BROKERS): this run cannot stop or start it');
  return readBrokerState(file);
}

/** Whether the broker process is running. */
export function isBrokerRunning(): boolean {
  return isProcessAlive(state().pid);
}

/** Options of {@link stopBroker} and {@link restartBroker}. */
export interface StopBrokerOptions {
  /** Kill with SIGKILL at once (a crash) instead of a clean SIGTERM shutdown. Default false. */
  crash?: boolean;
}

/** Stops the broker (clean shutdown, or a crash with `crash: true`); resolves once the process is gone. */
export async function stopBroker(options: StopBrokerOptions = {}): Promise<void> {
  const current = state();
  await stopKafkaProcess(current.pid, options.crash ? 0 : 15_000);
  current.pid = 0;
  await writeBrokerState(current);
}

/** Starts the stopped broker again on the same ports and log dir; resolves once it serves. */
export async function startBroker(): Promise<void> {
  const current = state();
  if (isProcessAlive(current.pid)) throw new Error(`the broker is already running (pid ${current.pid})`);
  // The broker must outlive this worker: the global teardown stops it through the state file.
  await launchKafkaBroker(current, { killOnExit: false });
}

/** Stops the broker and starts it again on the same ports and log dir; resolves once it serves. */
export async function restartBroker(options: StopBrokerOptions = {}): Promise<void> {
  await stopBroker(options);
  await startBroker();
}

/** The last lines of the broker's output, to print when a test fails. */
export async function brokerLog(lines = 80): Promise<string> {
  return canControlBroker() ? brokerLogTail(state(), lines) : '(external broker: no log)';
}
