/** The last completed checkpoint, as {@link CheckpointStats} reports it. */
export interface CompletedCheckpointStats {
  readonly checkpointId: number;
  /** Processing time of the trigger. */
  readonly triggerTimestamp: number;
  /** Processing time from trigger to stored, ms. */
  readonly duration: number;
  /** Bytes of encoded state. */
  readonly stateSize: number;
  readonly externalPointer: string;
}

/**
 * Checkpoint counters of a job (a subset of Flink's checkpoint statistics), for tests and metrics.
 *
 * @example
 * ```ts
 * const stats = job.getCheckpointStats();
 * console.log(stats.numberOfCompletedCheckpoints, stats.lastCompleted?.duration);
 * ```
 */
export interface CheckpointStats {
  readonly numberOfCompletedCheckpoints: number;
  /** Aborted checkpoints: expired, failed to store, or cut short by a failure or restart. */
  readonly numberOfFailedCheckpoints: number;
  readonly numberOfInProgressCheckpoints: number;
  readonly lastCompleted: CompletedCheckpointStats | undefined;
}
