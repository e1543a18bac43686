/**
 * The entry of a dry-run worker thread (see dry-run-runner.ts): runs {@link dryRun} on the rule
 * and events of its `workerData` and posts the result ({@link DryRunWorkerReply}) to its parent,
 * which terminates it then, or earlier on timeout. Importing it elsewhere does nothing.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Rule } from '../../rules/index.js';
import { type DryRunResult, dryRun } from './dry-run.js';

/**
 * What the runner gives a dry-run worker.
 *
 * @example
 * ```ts
 * new Worker(entry, { workerData: { kind: 'cep-dry-run', rule, events } satisfies DryRunWorkerData });
 * ```
 */
export interface DryRunWorkerData {
  readonly kind: 'cep-dry-run';
  readonly rule: Rule;
  readonly events: readonly unknown[];
}

/**
 * What a dry-run worker posts back: the result, or why the dry run failed.
 *
 * @example
 * ```ts
 * worker.once('message', (m: DryRunWorkerReply) => (m.ok ? resolve(m.result) : reject(new Error(m.reason))));
 * ```
 */
export type DryRunWorkerReply =
  | { readonly ok: true; readonly result: DryRunResult }
  | { readonly ok: false; readonly reason: string };

const data = workerData as Partial<DryRunWorkerData> | undefined;
if (!isMainThread && parentPort !== null && data?.kind === 'cep-dry-run') {
  const port = parentPort;
  dryRun(data.rule as Rule, data.events ?? []).then(
    (result) => port.postMessage({ ok: true, result } satisfies DryRunWorkerReply),
    (e: unknown) =>
      port.postMessage({
        ok: false,
        reason: e instanceof Error ? e.message : String(e),
      } satisfies DryRunWorkerReply),
  );
}
