import type { TriggerOptions } from '../checkpoint/checkpoint-coordinator.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { CompletedCheckpoint } from '../checkpoint/completed-checkpoint.js';
import { FileSavepointStorage } from '../checkpoint/savepoint-storage.js';
import type { JobExecution, JobExecutionResult, JobStatus } from '../runtime/job-execution.js';
import type { StreamOperator } from '../runtime/stream-operator.js';

/**
 * A handle to a running job (Flink's `JobClient`). It is also awaitable: `await env.execute()`
 * waits for the job to end and gives its {@link JobExecutionResult}, or throws a
 * `JobExecutionError` if it failed.
 *
 * @example
 * ```ts
 * const job = env.execute('fraud');
 * setTimeout(() => job.cancel(), 10_000);
 * const result = await job; // result.status === 'CANCELED'
 * ```
 */
export class JobClient implements PromiseLike<JobExecutionResult> {
  /** @internal */
  constructor(private readonly execution: JobExecution) {}

  get jobId(): string {
    return this.execution.jobId;
  }

  getJobStatus(): JobStatus {
    return this.execution.status;
  }

  /**
   * The operator instances running now, every task's chain head first (new instances after a
   * restart). For metrics that read an operator's state between records; not a stable API for
   * anything else.
   *
   * @example
   * ```ts
   * job.getRunningOperators().filter((op) => op instanceof DynamicCepOperator);
   * ```
   */
  getRunningOperators(): StreamOperator<unknown>[] {
    return this.execution.getTasks().flatMap((t) => t.operators);
  }

  /** Resolves when the job finishes or is cancelled; rejects when it fails. */
  getJobExecutionResult(): Promise<JobExecutionResult> {
    return this.execution.result;
  }

  /**
   * Takes a checkpoint now, besides the periodic ones; resolves with it once stored (rejects with
   * a `CheckpointException` if it is aborted). Works without periodic checkpointing too.
   *
   * @example
   * ```ts
   * const cp = await job.triggerCheckpoint();
   * env2.execute({ restoreFrom: cp });
   * ```
   */
  triggerCheckpoint(options?: TriggerOptions): Promise<CompletedCheckpoint> {
    return this.execution.triggerCheckpoint(options);
  }

  /**
   * Takes a savepoint into `targetDirectory` (Flink's `triggerSavepoint`) and resolves with its
   * path, `<targetDirectory>/savepoint-<jobId>-<id>`, once it is stored. The job keeps running. A
   * savepoint is a checkpoint of kind `'savepoint'` that belongs to the user: retention never
   * deletes it, restarts never use it, and it commits nothing (as in Flink 1.15+: the output it
   * sealed is committed by the next checkpoint, or by a job restored from it). Restore with
   * `env.execute({ restoreFrom: path })`, also into a changed job (see the README).
   *
   * @example
   * ```ts
   * const path = await job.triggerSavepoint('/var/lib/fraud/savepoints');
   * ```
   */
  async triggerSavepoint(targetDirectory: string): Promise<string> {
    const savepoint = await this.execution.triggerCheckpoint({
      kind: 'savepoint',
      storage: new FileSavepointStorage(targetDirectory, this.execution.jobId),
    });
    return savepoint.externalPointer!;
  }

  /**
   * Stops the job with a savepoint (Flink's `stop`, without `--drain`) and resolves with its path
   * once the job has ended. Sources emit nothing after the savepoint's barrier, each task stops
   * once it took its snapshot (no input, no processing-time timers), the savepoint is stored,
   * `notifyCheckpointComplete` lets exactly-once sinks commit exactly what it covers, and the job
   * ends with status `FINISHED` (`result.savepointPath` set) without calling `finish()`: nothing
   * is flushed, open windows and timers stay in the savepoint. If the savepoint cannot be taken
   * the promise rejects and the job keeps running.
   *
   * @example
   * ```ts
   * const path = await job.stopWithSavepoint('/var/lib/fraud/savepoints');
   * env2.execute({ jobName: 'fraud', restoreFrom: path }); // the new version of the job
   * ```
   */
  stopWithSavepoint(targetDirectory: string): Promise<string> {
    return this.execution.stopWithSavepoint(targetDirectory);
  }

  /** Completed/failed/in-flight checkpoint counts and the last completed one's duration and size. */
  getCheckpointStats(): CheckpointStats {
    return this.execution.getCheckpointStats();
  }

  /** How many times the restart strategy redeployed the job after a failure. */
  getNumberOfRestarts(): number {
    return this.execution.getNumberOfRestarts();
  }

  /** Cancels the job and resolves once everything is closed. */
  cancel(): Promise<void> {
    return this.execution.cancel();
  }

  // biome-ignore lint/suspicious/noThenProperty: the handle is deliberately awaitable.
  then<R1 = JobExecutionResult, R2 = never>(
    onfulfilled?: ((value: JobExecutionResult) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.execution.result.then(onfulfilled, onrejected);
  }

  /** @internal the underlying execution, for tests and metrics. */
  getExecution(): JobExecution {
    return this.execution;
  }
}
