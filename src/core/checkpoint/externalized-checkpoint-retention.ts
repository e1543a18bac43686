/**
 * What happens to a job's completed checkpoints when the job stops (Flink's
 * `ExternalizedCheckpointRetention`). Checkpoints this job completed are the ones concerned.
 *
 * @example
 * ```ts
 * env.getCheckpointConfig().setExternalizedCheckpointRetention(
 *   ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
 * );
 * ```
 */
export enum ExternalizedCheckpointRetention {
  /** Kept when the job is cancelled, fails or finishes: clean them up yourself. */
  RETAIN_ON_CANCELLATION = 'RETAIN_ON_CANCELLATION',
  /** Deleted when the job is cancelled; kept when it fails (to restore) or finishes. The default. */
  DELETE_ON_CANCELLATION = 'DELETE_ON_CANCELLATION',
  /** Deleted whenever the job stops for good (cancelled, failed, finished). */
  NO_EXTERNALIZED_CHECKPOINTS = 'NO_EXTERNALIZED_CHECKPOINTS',
}
