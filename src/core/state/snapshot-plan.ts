/**
 * How the keyed state of one checkpoint is to be snapshotted (incremental checkpoints, in the spirit
 * of Flink's `execution.checkpointing.incremental`).
 *
 * @example
 * ```ts
 * const plan: SnapshotPlan = { base: 41, full: false }; // a delta to completed checkpoint 41
 * ```
 */
export interface SnapshotPlan {
  /**
   * The latest completed checkpoint of the job (undefined: none yet). A backend that took its
   * snapshot for it may write only what changed since; entries it keeps for older checkpoints can go.
   */
  readonly base: number | undefined;
  /** Write everything even when a delta to `base` is possible (it bounds the chain a restore reads). */
  readonly full: boolean;
}

/**
 * Decides, per checkpoint id, how backends snapshot (implemented by the checkpoint coordinator when
 * incremental checkpoints are on). `undefined` for a detached snapshot (a savepoint, or a checkpoint
 * to another storage): a full snapshot that leaves the backend's change tracking as it was.
 *
 * @example
 * ```ts
 * const planner: SnapshotPlanner = { planOf: (id) => (id > 1 ? { base: id - 1, full: false } : undefined) };
 * ```
 */
export interface SnapshotPlanner {
  planOf(checkpointId: number): SnapshotPlan | undefined;
}
