import { deserialize } from 'node:v8';
import { decodeOperatorSnapshot } from '../runtime/operator-snapshot-codec.js';
import type { OperatorSnapshot } from '../runtime/stream-operator.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';

/** The identity of an operator of the job being deployed, to match it with checkpointed state. */
export interface RestoreTarget {
  readonly uid: string;
  readonly name: string;
  readonly maxParallelism: number;
}

/**
 * A completed checkpoint seen from a deployment: decoded operator snapshots by uid, handed to every
 * new instance (keyed state and timers are filtered by key group, operator list state is
 * redistributed by the operator state backend), and the split enumerators' states.
 *
 * @example
 * ```ts
 * const restored = RestoredState.of(checkpoint, nodes, { allowNonRestoredState: false });
 * op.initializeState(restored.operatorSnapshots(node.uid));
 * ```
 */
export class RestoredState {
  private constructor(readonly checkpoint: CompletedCheckpoint) {}

  /**
   * Checks that the checkpoint fits the job: every checkpointed uid must exist in the job unless
   * `allowNonRestoredState`, and key groups (maxParallelism) must not change.
   */
  static of(
    checkpoint: CompletedCheckpoint,
    targets: readonly RestoreTarget[],
    options: { allowNonRestoredState?: boolean } = {},
  ): RestoredState {
    const byUid = new Map(targets.map((t) => [t.uid, t]));
    for (const [uid, op] of Object.entries(checkpoint.operators)) {
      const target = byUid.get(uid);
      if (!target) {
        if (options.allowNonRestoredState) continue;
        throw new Error(
          `checkpoint ${checkpoint.checkpointId} has state for operator uid '${uid}', which is not in the job; set allowNonRestoredState to skip it`,
        );
      }
      if (op.subtasks.length > 0 && op.maxParallelism !== target.maxParallelism) {
        throw new Error(
          `operator '${target.name}' (uid '${uid}'): checkpoint has maxParallelism ${op.maxParallelism}, the job ${target.maxParallelism}`,
        );
      }
    }
    return new RestoredState(checkpoint);
  }

  /** Fresh decoded copies of every former instance's snapshot, or undefined for new operators. */
  operatorSnapshots(uid: string): OperatorSnapshot[] | undefined {
    const op = this.checkpoint.operators[uid];
    if (!op || op.subtasks.length === 0) return undefined;
    return op.subtasks.map((bytes) => decodeOperatorSnapshot(bytes));
  }

  /** The split enumerator state of a source, if checkpointed. */
  coordinatorState(uid: string): unknown {
    const bytes = this.checkpoint.operators[uid]?.coordinator;
    return bytes === undefined ? undefined : deserialize(bytes);
  }
}
