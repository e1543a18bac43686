import type { CompletedCheckpoint } from '../checkpoint/completed-checkpoint.js';

/**
 * Options of `env.execute(...)` besides the job name (Flink's `SavepointRestoreSettings` and
 * `-s`/`--allowNonRestoredState` of `flink run`).
 *
 * @example
 * ```ts
 * env.execute({ jobName: 'fraud', restoreFrom: '/data/checkpoints/fraud/chk-42' });
 * env.execute({ jobName: 'fraud', restoreFrom: '/data/checkpoints/fraud' }); // its latest complete one
 * ```
 */
export interface ExecuteOptions {
  readonly jobName?: string;
  /**
   * Start from a completed checkpoint: the object itself (from `job.triggerCheckpoint()` or a
   * storage's `latest()`), or a path: a `chk-<id>` directory, its `_metadata` file, or a storage
   * directory (its latest complete checkpoint). Operators get their state by uid; sources resume
   * at their checkpointed positions.
   */
  readonly restoreFrom?: string | CompletedCheckpoint;
  /** Ignore checkpointed state of operators (uids) the job no longer has, instead of failing. */
  readonly allowNonRestoredState?: boolean;
}
