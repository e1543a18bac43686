/**
 * The broker of the Kafka benchmark: `KAFKA_BROKERS` when set, otherwise one started with the
 * tests' CLI (`node test/integration/kafka/broker-cli.mjs start`, which needs Java 17 and Maven;
 * see README "Kafka in the tests") and stopped at the end. A broker the CLI reports as already
 * running (started by someone else) is used and left running.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A bootstrap address and how to give the broker back. */
export interface BenchBroker {
  readonly brokers: string;
  /** Stops the broker if this process started it. */
  release(): Promise<void>;
}

/** Repository root (this file runs from `dist/bench/`). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = 'test/integration/kafka/broker-cli.mjs';

function runCli(command: 'start' | 'stop'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, command], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      process.stderr.write(c);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `KAFKA_BROKERS` from the environment, or a broker started for the benchmark.
 *
 * @example
 * ```ts
 * const broker = await benchBroker();
 * try { run(broker.brokers); } finally { await broker.release(); }
 * ```
 */
export async function benchBroker(): Promise<BenchBroker> {
  const given = process.env.KAFKA_BROKERS;
  if (given !== undefined && given !== '') return { brokers: given, release: async () => {} };
  const { code, stdout, stderr } = await runCli('start');
  const line = stdout.split('\n').find((l) => l.startsWith('KAFKA_BROKERS='));
  if (code !== 0 || line === undefined) {
    throw new Error(`could not start a Kafka broker (${CLI} start exited ${code}); set KAFKA_BROKERS`);
  }
  const brokers = line.slice('KAFKA_BROKERS='.length).trim();
  const ours = !stderr.includes('already running');
  return {
    brokers,
    release: async () => {
      if (ours) await runCli('stop');
    },
  };
}
