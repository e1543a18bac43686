/**
 * Why a checkpoint did not complete (Flink's `CheckpointException`): it expired, the job failed
 * or stopped while it was in flight, or storing it failed. The job itself keeps running.
 *
 * @example
 * ```ts
 * try { await job.triggerCheckpoint(); } catch (e) { if (e instanceof CheckpointException) console.warn(e.reason); }
 * ```
 */
export class CheckpointException extends Error {
  constructor(
    readonly checkpointId: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Checkpoint ${checkpointId} aborted: ${reason}`, options);
    this.name = 'CheckpointException';
  }
}
