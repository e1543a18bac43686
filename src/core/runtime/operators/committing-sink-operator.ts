import type { SinkInitContext } from '../../connectors/sink.js';
import type { Committer } from '../../connectors/two-phase-commit/committer.js';
import type { PrecommittingSinkWriter } from '../../connectors/two-phase-commit/precommitting-sink-writer.js';
import type { TwoPhaseCommittingSink } from '../../connectors/two-phase-commit/two-phase-committing-sink.js';
import type { ListState } from '../../state/state.js';
import { ListStateDescriptor } from '../../state/state-descriptor.js';
import type { OperatorSnapshot } from '../stream-operator.js';
import { isPromiseLike, SinkWriterOperator } from './sink-writer-operator.js';

/** One pre-committed piece of work waiting for its checkpoint to complete, as kept in state. */
export interface PendingCommittable<CommT> {
  /** The checkpoint whose barrier produced it (`Number.MAX_SAFE_INTEGER`: end of input). */
  readonly checkpointId: number;
  /** The subtask that produced it (informational). */
  readonly subtaskIndex: number;
  readonly committable: CommT;
}

interface Pending<CommT> extends PendingCommittable<CommT> {
  /** A commit covering it is running. */
  scheduled: boolean;
}

/** Name of the operator state holding the pending committables. */
export const PENDING_COMMITTABLES_STATE = 'CommittingSinkPendingCommittables';

/**
 * Runs a {@link TwoPhaseCommittingSink}: writer and committer in one operator (Flink's
 * `SinkWriterOperator` + `CommitterOperator`, chained).
 *
 * - `snapshotState(checkpointId)` (the barrier reached the sink): `writer.prepareCommit(checkpointId)`
 *   and the returned committables join the pending ones, which the snapshot stores (operator union
 *   list state, plain data, tagged with the checkpoint id).
 * - `notifyCheckpointComplete(id)`: commits every pending committable of a checkpoint `<= id`
 *   (oldest first, so a lost notification is made up by the next one) and forgets them once the
 *   commit succeeded. An asynchronous commit pauses the task (`blockOn`) and never runs concurrently
 *   with the next one; a failed commit fails the task.
 * - `notifyCheckpointAborted(id)`: nothing; those committables are committed with the next completed
 *   checkpoint.
 * - Restore (`initializeState` + `open`): the restored committables belong to a completed checkpoint
 *   (restores only use those), so they are committed again before anything else (the committer is
 *   idempotent); then `sink.recoverLingering` drops what a failed run left uncommitted. The state is
 *   union list state, so every parallel instance sees and commits all restored committables, whatever
 *   the new parallelism: no instance cleans up while a sibling still has something to re-commit.
 * - End of input (`finish`): flush, a last `prepareCommit()` and a commit of everything pending. Flink
 *   commits at the final checkpoint instead; this runtime commits at `finish`, which is also what
 *   happens with checkpointing off: output becomes visible only when a bounded input ends. (An
 *   unbounded job without checkpoints never commits: use the sink's at-least-once mode there.)
 *
 * Writes follow the rules of the plain sink operator (a write returning a promise pauses the task,
 * later records queue behind it). A barrier must not be processed while a write is in flight:
 * `snapshotState` throws then.
 *
 * @example
 * ```ts
 * // What DataStream.sinkTo does for a two-phase-committing sink:
 * new OneInputTransformation('Sink', input, () => new CommittingSinkOperator(sink));
 * ```
 */
export class CommittingSinkOperator<IN, CommT> extends SinkWriterOperator<IN> {
  declare protected writer: PrecommittingSinkWriter<IN, CommT>;
  private committer!: Committer<CommT>;
  private state!: ListState<PendingCommittable<CommT>>;
  private pending: Pending<CommT>[] = [];
  private restored: PendingCommittable<CommT>[] = [];
  private commitChain: Promise<void> | undefined;

  constructor(protected override readonly sink: TwoPhaseCommittingSink<IN, CommT>) {
    super(sink);
  }

  override initializeState(restored: readonly OperatorSnapshot[] | undefined): void {
    super.initializeState(restored);
    this.state = this.operatorStateBackend.getUnionListState(
      new ListStateDescriptor<PendingCommittable<CommT>>(PENDING_COMMITTABLES_STATE),
    );
    this.restored = [...this.state.get()].sort((a, b) => a.checkpointId - b.checkpointId);
    this.state.update([]);
  }

  override async open(): Promise<void> {
    const info = this.params.taskInfo;
    const init: SinkInitContext = {
      subtaskIndex: info.indexOfThisSubtask,
      parallelism: info.numberOfParallelSubtasks,
    };
    this.state ??= this.operatorStateBackend.getUnionListState(
      new ListStateDescriptor<PendingCommittable<CommT>>(PENDING_COMMITTABLES_STATE),
    );
    this.committer = this.sink.createCommitter(init);
    if (this.restored.length > 0) {
      await this.committer.commit(this.restored.map((p) => p.committable));
      this.restored = [];
    }
    await this.sink.recoverLingering?.(init);
    this.writer = this.sink.createWriter(init);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    if (this.inFlight) {
      throw new Error(
        `checkpoint ${checkpointId}: the sink has a write in flight; barriers must wait for it`,
      );
    }
    this.addPending(checkpointId, this.writer.prepareCommit(checkpointId));
    this.state.update(
      this.pending.map((p) => ({
        checkpointId: p.checkpointId,
        subtaskIndex: p.subtaskIndex,
        committable: p.committable,
      })),
    );
    return super.snapshotState(checkpointId);
  }

  /**
   * Commits the pending committables of checkpoints up to `checkpointId`. Returns nothing: an
   * asynchronous commit pauses the task through `blockOn` (so a caller notifying several tasks never
   * waits on one of them; the harness's `drainPending()` waits for it).
   */
  notifyCheckpointComplete(checkpointId: number): void {
    this.commitUpTo(checkpointId);
  }

  /** Nothing to do: the committables of an aborted checkpoint are committed with the next completed one. */
  notifyCheckpointAborted(_checkpointId: number): void {}

  /** The committables waiting for their checkpoint to complete (for tests and metrics). */
  pendingCommittables(): readonly PendingCommittable<CommT>[] {
    return this.pending.map((p) => ({
      checkpointId: p.checkpointId,
      subtaskIndex: p.subtaskIndex,
      committable: p.committable,
    }));
  }

  override async finish(): Promise<void> {
    await super.finish();
    this.addPending(Number.MAX_SAFE_INTEGER, this.writer.prepareCommit());
    this.commitUpTo(Number.MAX_SAFE_INTEGER);
    while (this.commitChain !== undefined) await this.commitChain;
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.committer?.close?.();
    }
  }

  private addPending(checkpointId: number, committables: readonly CommT[]): void {
    const subtaskIndex = this.params.taskInfo.indexOfThisSubtask;
    for (const committable of committables) {
      this.pending.push({ checkpointId, subtaskIndex, committable, scheduled: false });
    }
  }

  private commitUpTo(checkpointId: number): void {
    const ready = this.pending.filter((p) => p.checkpointId <= checkpointId && !p.scheduled);
    if (ready.length === 0) return;
    for (const p of ready) p.scheduled = true;
    const committables = ready.map((p) => p.committable);
    const forget = (): void => {
      const done = new Set(ready);
      this.pending = this.pending.filter((p) => !done.has(p));
    };
    let chain: Promise<void>;
    if (this.commitChain === undefined) {
      const result = this.committer.commit(committables);
      if (!isPromiseLike(result)) {
        forget();
        return;
      }
      chain = Promise.resolve(result).then(forget);
    } else {
      chain = this.commitChain.then(() => this.committer.commit(committables)).then(forget);
    }
    const tracked: Promise<void> = chain.finally(() => {
      if (this.commitChain === tracked) this.commitChain = undefined;
    });
    this.commitChain = tracked;
    this.params.blockOn(tracked);
  }
}
