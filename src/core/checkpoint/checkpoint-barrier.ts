/**
 * The marker a checkpoint sends through the dataflow (Flink's `CheckpointBarrier`). Sources emit it
 * between two records; every record before it on a channel belongs to the checkpoint, every record
 * after it does not. It travels on channels as an element of kind `BARRIER`, in order with records,
 * so it can neither overtake nor be overtaken by them.
 *
 * @example
 * ```ts
 * const barrier: CheckpointBarrier = { checkpointId: 7, timestamp: clock.now() };
 * ```
 */
export interface CheckpointBarrier {
  readonly checkpointId: number;
  /** Processing time at which the coordinator triggered the checkpoint. */
  readonly timestamp: number;
}
