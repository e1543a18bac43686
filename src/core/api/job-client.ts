import type { JobExecution, JobExecutionResult, JobStatus } from '../runtime/job-execution.js';

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

  /** Resolves when the job finishes or is cancelled; rejects when it fails. */
  getJobExecutionResult(): Promise<JobExecutionResult> {
    return this.execution.result;
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
