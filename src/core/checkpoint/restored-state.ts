import { deserialize } from 'node:v8';
import { decodeOperatorSnapshot } from '../runtime/operator-snapshot-codec.js';
import type { OperatorSnapshot } from '../runtime/stream-operator.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';

/** The identity of an operator of the job being deployed, to match it with checkpointed state. */
export interface RestoreTarget {
  readonly uid: string;
  readonly name: string;
  readonly maxParallelism: number;
  /** Whether the operator is on a keyed stream (has keyed state and timers); unknown: not checked. */
  readonly keyed?: boolean;
}

/**
 * A completed checkpoint (or savepoint) seen from a deployment: decoded operator snapshots by uid,
 * handed to every new instance (keyed state and timers are filtered by key group, operator list
 * state is redistributed by the operator state backend), and the split enumerators' states.
 *
 * The job may differ from the one that took the snapshot (a new version of the program): state is
 * matched by operator uid; an operator of the job without state starts empty; parallelism may
 * change (keyed state follows its key groups, list state is split round robin, union list state
 * goes to every instance); state of a uid the job does not have fails the restore unless
 * `allowNonRestoredState`; keyed state needs the same maxParallelism (the number of key groups).
 *
 * @example
 * ```ts
 * const restored = RestoredState.of(checkpoint, nodes, { allowNonRestoredState: false });
 * op.initializeState(restored.operatorSnapshots(node.uid));
 * ```
 */
export class RestoredState {
  private constructor(
    readonly checkpoint: CompletedCheckpoint,
    /** Uids of checkpointed state that no operator of the job takes (allowNonRestoredState). */
    readonly nonRestoredUids: readonly string[],
  ) {}

  /**
   * Checks that the checkpoint fits the job: every checkpointed uid must exist in the job unless
   * `allowNonRestoredState`; keyed state (key groups and timers) must go to a keyed operator with
   * the same maxParallelism. Throws an error naming the operators otherwise.
   */
  static of(
    checkpoint: CompletedCheckpoint,
    targets: readonly RestoreTarget[],
    options: { allowNonRestoredState?: boolean } = {},
  ): RestoredState {
    const what = `${checkpoint.kind} ${checkpoint.checkpointId}${checkpoint.externalPointer ? ` (${checkpoint.externalPointer})` : ''}`;
    const byUid = new Map(targets.map((t) => [t.uid, t]));
    const missing: string[] = [];
    for (const [uid, op] of Object.entries(checkpoint.operators)) {
      const target = byUid.get(uid);
      if (!target) {
        missing.push(uid);
        continue;
      }
      if (op.subtasks.length === 0) continue;
      const keyedChanged = op.maxParallelism !== target.maxParallelism;
      if (!keyedChanged && target.keyed !== false) continue;
      // Only keyed state and timers depend on key groups: decode to see whether there are any.
      const hasKeyed = op.subtasks.some((bytes) => {
        const s = decodeOperatorSnapshot(bytes);
        return (s.keyed?.groups.length ?? 0) > 0 || Object.keys(s.timers ?? {}).length > 0;
      });
      if (!hasKeyed) continue;
      if (target.keyed === false) {
        throw new Error(
          `${what} has keyed state for uid '${uid}', but operator '${target.name}' of the job is not keyed`,
        );
      }
      throw new Error(
        `${what}: the keyed state of operator '${target.name}' (uid '${uid}') has maxParallelism ${op.maxParallelism}, the job ${target.maxParallelism}; key groups cannot be redistributed to another maxParallelism (Flink refuses this too): keep setMaxParallelism(${op.maxParallelism})`,
      );
    }
    if (missing.length > 0 && !options.allowNonRestoredState) {
      throw new Error(
        `${what} has state for operators the job does not have: ${missing.map((u) => `uid '${u}'`).join(', ')}; set allowNonRestoredState to skip it, or give the operators of the new job these uids`,
      );
    }
    return new RestoredState(checkpoint, missing);
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
