/**
 * The state of one operator (by `uid`) in a checkpoint: one encoded `OperatorSnapshot` per
 * parallel instance (from `encodeOperatorSnapshot`) and, for sources, the split enumerator's state.
 *
 * @example
 * ```ts
 * const op = checkpoint.operators['fraud-rules']!;
 * const first = decodeOperatorSnapshot(op.subtasks[0]!);
 * ```
 */
export interface OperatorCheckpointState {
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Index = subtask index of the instance that took the snapshot. */
  readonly subtasks: readonly Uint8Array[];
  /** A source's split enumerator state, structured-clone encoded. */
  readonly coordinator?: Uint8Array;
}

/**
 * Whether a snapshot was taken by the periodic checkpointing or on demand by the user.
 *
 * @example
 * ```ts
 * if (checkpoint.kind === 'savepoint') console.log('user-triggered');
 * ```
 */
export type SnapshotKind = 'checkpoint' | 'savepoint';

/**
 * A consistent cut of a whole job: what {@link CheckpointStorage} keeps and what a job restores
 * from (`env.execute({ restoreFrom })`, or a restart).
 *
 * @example
 * ```ts
 * const cp = await job.triggerCheckpoint();
 * console.log(cp.checkpointId, Object.keys(cp.operators));
 * ```
 */
export interface CompletedCheckpoint {
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  /** Processing time at which the checkpoint was triggered. */
  readonly timestamp: number;
  readonly kind: SnapshotKind;
  /**
   * True for the checkpoint a job takes after every task finished (its input fully consumed):
   * restoring from it runs nothing but the operators' `finish`.
   */
  readonly finalCheckpoint: boolean;
  readonly operators: Readonly<Record<string, OperatorCheckpointState>>;
  /**
   * An incremental checkpoint: the id of the completed checkpoint its keyed state deltas build on
   * (see `CheckpointConfig.enableIncrementalCheckpoints`). A storage that resolves chains returns
   * loaded checkpoints without it.
   */
  readonly base?: number;
  /** Where the storage put it (a directory for file storage), once stored. */
  readonly externalPointer?: string;
}

/**
 * Total bytes of the encoded operator and enumerator states of a checkpoint.
 *
 * @example
 * ```ts
 * console.log(`${checkpointStateSize(await job.triggerCheckpoint())} bytes`);
 * ```
 */
export function checkpointStateSize(checkpoint: CompletedCheckpoint): number {
  let size = 0;
  for (const op of Object.values(checkpoint.operators)) {
    for (const s of op.subtasks) size += s.byteLength;
    size += op.coordinator?.byteLength ?? 0;
  }
  return size;
}
