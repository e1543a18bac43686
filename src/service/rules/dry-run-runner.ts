import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Rule } from '../../rules/index.js';
import { DryRunFailedError, type DryRunResult, dryRun } from './dry-run.js';
// A type-only import, erased at run time, that also makes `tsc` emit the worker entry next to
// this module whenever it compiles this module (npm run build, the tests' compileFixture).
import type { DryRunWorkerData, DryRunWorkerReply } from './dry-run-worker.js';

/** Default of `DRY_RUN_TIMEOUT_MS`: a dry run taking longer is stopped and answered 422. */
export const DRY_RUN_DEFAULT_TIMEOUT_MS = 10_000;

/** Dry runs at the same time (one worker thread each); more are refused (429) until one ends. */
export const DRY_RUN_MAX_CONCURRENT = 2;

/** Heap of a dry-run worker thread (`resourceLimits.maxOldGenerationSizeMb`); above it: 422. */
export const DRY_RUN_WORKER_HEAP_MB = 256;

/**
 * The dry-run timeout from `DRY_RUN_TIMEOUT_MS` (milliseconds, 1..600000), default
 * {@link DRY_RUN_DEFAULT_TIMEOUT_MS}; an invalid value is the default.
 *
 * @example
 * ```ts
 * dryRunTimeoutMs({ DRY_RUN_TIMEOUT_MS: '2000' }); // 2000
 * ```
 */
export function dryRunTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DRY_RUN_TIMEOUT_MS;
  const n = raw === undefined || !/^\d+$/.test(raw.trim()) ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 1 && n <= 600_000 ? n : DRY_RUN_DEFAULT_TIMEOUT_MS;
}

/**
 * The compiled worker entry (`dry-run-worker.js`) next to this module, or `undefined` when there
 * is none: the service runs from `dist/` (tsc output) in production, where it exists; the vitest
 * service tests run the TypeScript sources in-process, where it does not (use the compiled service
 * to test the worker, like test/service/dry-run-worker.test.ts).
 *
 * @example
 * ```ts
 * const entry = defaultDryRunWorkerEntry(); // file:///app/dist/src/service/rules/dry-run-worker.js
 * ```
 */
export function defaultDryRunWorkerEntry(): URL | undefined {
  const url = new URL('./dry-run-worker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Thrown by {@link DryRunRunner.run} when {@link DRY_RUN_MAX_CONCURRENT} dry runs are running.
 *
 * @example
 * ```ts
 * if (e instanceof DryRunBusyError) throw new HttpException(e.message, 429);
 * ```
 */
export class DryRunBusyError extends Error {
  override readonly name = 'DryRunBusyError';
}

/**
 * Options of {@link DryRunRunner}.
 *
 * @example
 * ```ts
 * new DryRunRunner({ timeoutMs: 2_000 });
 * ```
 */
export interface DryRunRunnerOptions {
  /** Default: {@link dryRunTimeoutMs} of the environment. */
  readonly timeoutMs?: number;
  /** The worker entry; default {@link defaultDryRunWorkerEntry}; `null`: run in this thread. */
  readonly workerEntry?: URL | null;
  /** Default {@link DRY_RUN_MAX_CONCURRENT}. */
  readonly maxConcurrent?: number;
}

/**
 * Runs dry runs off the main event loop: each in a new `worker_threads` Worker (the compiled
 * `dry-run-worker.js`) with a heap limit, terminated when the timeout fires, even while a
 * condition keeps it CPU-bound, so the service (`/health/live`, ingest) keeps answering. A
 * timeout, a worker running out of memory or failing is a {@link DryRunFailedError} (422), never
 * a crash of the service. A worker costs ~100 ms to start (it loads the rules layer), negligible
 * next to the timeout.
 *
 * Without a compiled worker entry (the TypeScript sources under vitest), dry runs run in the
 * calling thread with the job's cooperative cancellation, which a CPU-bound condition delays.
 *
 * @example
 * ```ts
 * const runner = new DryRunRunner();
 * const { alerts, alertCount, truncated } = await runner.run(rule, events);
 * ```
 */
export class DryRunRunner {
  readonly timeoutMs: number;
  /** `'worker'`, or `'in-process'` without a compiled worker entry. */
  readonly mode: 'worker' | 'in-process';
  private readonly entry: URL | undefined;
  private readonly maxConcurrent: number;
  private running = 0;

  constructor(options: DryRunRunnerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? dryRunTimeoutMs();
    this.entry =
      options.workerEntry === null ? undefined : (options.workerEntry ?? defaultDryRunWorkerEntry());
    this.mode = this.entry === undefined ? 'in-process' : 'worker';
    this.maxConcurrent = options.maxConcurrent ?? DRY_RUN_MAX_CONCURRENT;
  }

  /** Runs `rule` (valid) over `events`. @example `await runner.run(rule, [{ type: 'x', ts: 1 }])` */
  async run(rule: Rule, events: readonly unknown[]): Promise<DryRunResult> {
    if (this.running >= this.maxConcurrent) {
      throw new DryRunBusyError(
        `${this.maxConcurrent} dry runs are running; try again when one has finished`,
      );
    }
    this.running++;
    try {
      return this.entry === undefined
        ? await dryRun(rule, events, { timeoutMs: this.timeoutMs })
        : await this.inWorker(this.entry, rule, events);
    } finally {
      this.running--;
    }
  }

  private inWorker(entry: URL, rule: Rule, events: readonly unknown[]): Promise<DryRunResult> {
    const timeoutMs = this.timeoutMs;
    return new Promise<DryRunResult>((resolve, reject) => {
      const workerData: DryRunWorkerData = { kind: 'cep-dry-run', rule, events };
      let worker: Worker;
      try {
        worker = new Worker(entry, {
          workerData,
          resourceLimits: { maxOldGenerationSizeMb: DRY_RUN_WORKER_HEAP_MB },
        });
      } catch (e) {
        reject(new DryRunFailedError(`the dry run could not start: ${(e as Error).message}`));
        return;
      }
      let settled = false;
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        settle();
      };
      // terminate() interrupts the worker's JavaScript wherever it is, a tight loop included.
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new DryRunFailedError(`the dry run took longer than ${timeoutMs} ms and was stopped`)),
          ),
        timeoutMs,
      );
      worker.once('message', (m: DryRunWorkerReply) =>
        finish(() => (m.ok ? resolve(m.result) : reject(new DryRunFailedError(m.reason)))),
      );
      worker.once('error', (e: Error & { code?: string }) =>
        finish(() =>
          reject(
            new DryRunFailedError(
              e.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? `the dry run ran out of memory (${DRY_RUN_WORKER_HEAP_MB} MB)`
                : `the dry run failed: ${e.message}`,
            ),
          ),
        ),
      );
      worker.once('exit', (code) =>
        finish(() =>
          reject(new DryRunFailedError(`the dry run stopped without a result (exit code ${code})`)),
        ),
      );
    });
  }
}
