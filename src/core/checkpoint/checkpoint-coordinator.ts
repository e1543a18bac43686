import { serialize } from 'node:v8';
import { encodeOperatorSnapshot } from '../runtime/operator-snapshot-codec.js';
import type { SourceCoordinator } from '../runtime/source-coordinator.js';
import type { OperatorSnapshot } from '../runtime/stream-operator.js';
import type { StreamTask } from '../runtime/stream-task.js';
import type { SnapshotPlan, SnapshotPlanner } from '../state/snapshot-plan.js';
import type { Cancellable, ProcessingTimeService } from '../time/processing-time-service.js';
import type { CheckpointBarrier } from './checkpoint-barrier.js';
import type { CheckpointConfig } from './checkpoint-config.js';
import { CheckpointException } from './checkpoint-exception.js';
import type { CheckpointStats, CompletedCheckpointStats } from './checkpoint-stats.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import {
  type CompletedCheckpoint,
  checkpointStateSize,
  type OperatorCheckpointState,
  type SnapshotKind,
} from './completed-checkpoint.js';

/** One task of the running job with the operators of its chain, head first. */
export interface CheckpointParticipant {
  readonly task: StreamTask;
  readonly subtaskIndex: number;
  readonly operators: readonly {
    readonly uid: string;
    readonly parallelism: number;
    readonly maxParallelism: number;
  }[];
}

/**
 * How to take a snapshot on demand: a savepoint goes elsewhere, escapes retention, is never used
 * by restarts and commits nothing (operators get no `notifyCheckpointComplete` for it).
 *
 * @example
 * ```ts
 * await job.triggerCheckpoint({ kind: 'savepoint', storage: new FileCheckpointStorage('/savepoints/app') });
 * ```
 */
export interface TriggerOptions {
  readonly kind?: SnapshotKind;
  /** Where to store it instead of the job's checkpoint storage. */
  readonly storage?: CheckpointStorage;
}

/**
 * @internal what the job passes for stop-with-savepoint: a savepoint whose tasks are suspended as
 * soon as they took their snapshot (sources emit nothing after their barrier) and whose
 * completion is notified, so two-phase-commit sinks commit what it covers.
 */
export interface InternalTriggerOptions extends TriggerOptions {
  readonly synchronous?: boolean;
}

/** What the coordinator needs from the job. */
export interface CheckpointCoordinatorContext {
  readonly jobId: string;
  readonly jobName: string;
  readonly config: CheckpointConfig;
  readonly storage: CheckpointStorage;
  /** The job's processing-time service: interval and timeout timers run on the job's clock. */
  readonly timers: ProcessingTimeService;
  /** A commit notification failed: the job fails (its output may be incomplete). */
  readonly failJob: (error: unknown) => void;
  /**
   * A task took its snapshot for a synchronous savepoint (stop-with-savepoint): it must not take
   * input or produce output any more.
   */
  readonly suspendTask?: (task: StreamTask) => void;
}

interface PendingCheckpoint {
  readonly id: number;
  readonly timestamp: number;
  readonly kind: SnapshotKind;
  readonly synchronous: boolean;
  readonly storage: CheckpointStorage;
  readonly participants: readonly CheckpointParticipant[];
  readonly remaining: Set<StreamTask>;
  readonly acks: Map<StreamTask, readonly OperatorSnapshot[]>;
  readonly coordinators: Map<string, Uint8Array>;
  timeout: Cancellable | undefined;
  acknowledged: boolean;
  readonly resolve: (c: CompletedCheckpoint) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Runs the checkpoints of one job (Flink's `CheckpointCoordinator`). A checkpoint: the split
 * enumerators are snapshotted, every source task snapshots its chain (reader positions included)
 * and emits a barrier between two records; tasks align the barriers of their inputs, snapshot and
 * forward them; each task acknowledges with its snapshots. When all tasks acknowledged, the
 * checkpoint is written to storage, older ones beyond the retained count are deleted, and every
 * operator gets `notifyCheckpointComplete` — where two-phase-commit sinks commit.
 *
 * Finished tasks (bounded input) take part with their final state: a task that is finished when
 * a checkpoint starts acknowledges at once, one still finishing (or one that never saw the
 * barrier because its inputs ended) acknowledges when it finishes; downstream, an ended channel
 * counts as aligned. When all tasks finished, a final checkpoint completes the job so sinks commit
 * the rest (the effect of Flink's FLIP-147). A savepoint is a checkpoint triggered on demand with
 * `kind: 'savepoint'` and its own storage, outside retention and never restored by a restart; as in
 * Flink 1.15+ it is not notified (commits nothing) and subsumes nothing, except the synchronous
 * savepoint of stop-with-savepoint, which suspends each task once it snapshotted and is notified.
 *
 * @example
 * ```ts
 * const coordinator = new CheckpointCoordinator(context);
 * await coordinator.initialize(restored);
 * coordinator.attach(participants, sourceCoordinators);
 * coordinator.startPeriodic();
 * const cp = await coordinator.triggerCheckpoint();
 * ```
 */
export class CheckpointCoordinator {
  private nextId = 1;
  private participants: readonly CheckpointParticipant[] = [];
  private sourceCoordinators: ReadonlyMap<string, SourceCoordinator<any, any, any>> = new Map();
  private attached = false;
  /** Bumped on every detach, so a store finishing after a restart notifies nobody stale. */
  private epoch = 0;
  private readonly pending = new Map<number, PendingCheckpoint>();
  private periodicTimer: Cancellable | undefined;
  private waitingForSlot = false;
  private lastCheckpointEnd = Number.NEGATIVE_INFINITY;
  private storeChain: Promise<unknown> = Promise.resolve();
  private storing = 0;
  private latest: CompletedCheckpoint | undefined;
  private readonly ownCheckpoints: number[] = [];
  /** Ids of the completed checkpoints in the job's storage, oldest first (for retention). */
  private retained: number[] = [];
  private completedCount = 0;
  private failedCount = 0;
  private lastStats: CompletedCheckpointStats | undefined;
  /** The synchronous savepoint (stop-with-savepoint) in flight: no other checkpoint may start. */
  private synchronousSavepoint: number | undefined;
  /** Incremental checkpoints: the plan of each checkpoint in flight. */
  private readonly plans = new Map<number, SnapshotPlan>();
  /** Incremental checkpoints: checkpoints since the last full one, by completed checkpoint id. */
  private readonly chainLengths = new Map<number, number>();
  private readonly planner: SnapshotPlanner | undefined;

  constructor(private readonly ctx: CheckpointCoordinatorContext) {
    const incremental =
      ctx.config.getIncrementalChainLength() > 0 && ctx.storage.resolvesIncrementalChains === true;
    this.planner = incremental ? { planOf: (id) => this.plans.get(id) } : undefined;
  }

  /** What keyed backends consult to snapshot incrementally; undefined when incremental is off. */
  snapshotPlanner(): SnapshotPlanner | undefined {
    return this.planner;
  }

  /**
   * The latest completed checkpoint in a form a restart can restore: an incremental one is loaded
   * back from storage, which resolves its chain.
   */
  async latestRestorable(): Promise<CompletedCheckpoint | undefined> {
    const latest = this.latest;
    if (latest?.base === undefined) return latest;
    return this.ctx.storage.load(latest.checkpointId);
  }

  /** Continues the id sequence after the restored checkpoint and after anything in storage. */
  async initialize(restored: CompletedCheckpoint | undefined): Promise<void> {
    const stored = await this.ctx.storage.list();
    const maxStored = stored.length > 0 ? stored[stored.length - 1]!.checkpointId : 0;
    this.retained = stored.filter((h) => h.kind === 'checkpoint').map((h) => h.checkpointId);
    this.nextId = Math.max(this.nextId, maxStored + 1, (restored?.checkpointId ?? 0) + 1);
  }

  /** The tasks of the (re)deployed job. */
  attach(
    participants: readonly CheckpointParticipant[],
    sourceCoordinators: ReadonlyMap<string, SourceCoordinator<any, any, any>>,
  ): void {
    this.participants = participants;
    this.sourceCoordinators = sourceCoordinators;
    this.attached = true;
  }

  /** Starts the interval timer (after the tasks are open). */
  startPeriodic(): void {
    const interval = this.ctx.config.getCheckpointInterval();
    if (!this.attached || interval <= 0) return;
    this.schedule(this.ctx.timers.getCurrentProcessingTime() + interval);
  }

  /** The job failed, restarts or stops: pending checkpoints are aborted, timers cancelled. */
  detach(reason: string): void {
    if (!this.attached) return;
    for (const p of [...this.pending.values()]) {
      if (!p.acknowledged) this.abort(p, reason);
    }
    this.attached = false;
    this.synchronousSavepoint = undefined;
    this.epoch++;
    this.periodicTimer?.cancel();
    this.periodicTimer = undefined;
    this.waitingForSlot = false;
    this.participants = [];
    this.sourceCoordinators = new Map();
  }

  /** Whether tasks are attached (deployed and open), so a checkpoint can start. */
  isAttached(): boolean {
    return this.attached;
  }

  /** The newest checkpoint completed by this job run (what a restart restores). */
  latestCompleted(): CompletedCheckpoint | undefined {
    return this.latest;
  }

  /** Whether an acknowledged checkpoint is being stored (the job should let promises run). */
  isStoring(): boolean {
    return this.storing > 0;
  }

  /** Resolves once every acknowledged checkpoint is stored (or failed to be). */
  async awaitStores(): Promise<void> {
    await this.storeChain;
  }

  getStats(): CheckpointStats {
    return {
      numberOfCompletedCheckpoints: this.completedCount,
      numberOfFailedCheckpoints: this.failedCount,
      numberOfInProgressCheckpoints: this.pending.size,
      lastCompleted: this.lastStats,
    };
  }

  /**
   * Triggers a checkpoint now (or a savepoint with `options`). Rejects with a
   * {@link CheckpointException} when it cannot start or is aborted.
   */
  triggerCheckpoint(options: InternalTriggerOptions = {}): Promise<CompletedCheckpoint> {
    const notReady = this.notReadyReason();
    if (notReady) return Promise.reject(new CheckpointException(this.nextId, notReady));
    try {
      return this.startCheckpoint(options);
    } catch (err) {
      // An operator failed to snapshot: like a failing user function, that fails the job.
      this.ctx.failJob(err);
      return Promise.reject(err);
    }
  }

  /**
   * A task finished: it acknowledges every checkpoint still waiting for it with its final state
   * (it never sees their barriers once its inputs ended, and its state does not change any more).
   */
  onTaskFinished(task: StreamTask): void {
    for (const p of [...this.pending.values()]) {
      if (!p.remaining.has(task)) continue;
      try {
        this.acknowledge(task, p.id, task.snapshotOperators(p.id));
      } catch (err) {
        this.ctx.failJob(err);
        return;
      }
    }
  }

  /** A task snapshotted its chain for checkpoint `checkpointId`. */
  acknowledge(task: StreamTask, checkpointId: number, snapshots: readonly OperatorSnapshot[]): void {
    const p = this.pending.get(checkpointId);
    if (!p?.remaining.delete(task)) return; // aborted, or a task of an earlier attempt
    p.acks.set(task, snapshots);
    if (p.synchronous) this.ctx.suspendTask?.(task);
    if (p.remaining.size === 0) this.onAllAcknowledged(p);
  }

  /**
   * Every task finished: snapshot their final states as one last checkpoint and notify it, so
   * sinks commit the output since the last periodic checkpoint.
   */
  async completeFinalCheckpoint(): Promise<void> {
    if (!this.attached) return;
    for (const p of [...this.pending.values()]) if (!p.acknowledged) this.abort(p, 'job finished');
    await this.storeChain;
    const id = this.nextId++;
    const timestamp = this.ctx.timers.getCurrentProcessingTime();
    const acks = new Map<StreamTask, readonly OperatorSnapshot[]>();
    for (const part of this.participants) acks.set(part.task, part.task.snapshotOperators(id));
    const checkpoint = this.buildCheckpoint(
      id,
      timestamp,
      'checkpoint',
      this.participants,
      acks,
      this.snapshotCoordinators(id),
      true,
    );
    const stored = await this.store(checkpoint, this.ctx.storage, timestamp);
    // The job has finished already, so a failed commit cannot fail it through failJob: rethrow.
    const errors: unknown[] = [];
    await this.notifyComplete(this.participants, stored.checkpointId, (err) => errors.push(err));
    if (errors.length > 0) throw errors[0];
    await this.enforceRetention();
  }

  /** Deletes the checkpoints this job run completed (retention on cancellation/termination). */
  async discardOwnCheckpoints(): Promise<void> {
    await this.storeChain.catch(() => {});
    for (const id of this.ownCheckpoints.splice(0)) {
      await this.ctx.storage.discard(id);
      this.retained = this.retained.filter((r) => r !== id);
    }
  }

  private notReadyReason(): string | undefined {
    if (!this.attached) return 'the job is not running';
    if (this.synchronousSavepoint !== undefined) return 'the job is stopping with a savepoint';
    if (this.participants.every((p) => p.task.state === 'FINISHED')) return 'every task finished';
    return undefined;
  }

  private schedule(time: number): void {
    this.periodicTimer?.cancel();
    this.periodicTimer = this.ctx.timers.registerTimer(time, () => this.onPeriodicTimer());
  }

  private onPeriodicTimer(): void {
    this.periodicTimer = undefined;
    if (!this.attached) return;
    const now = this.ctx.timers.getCurrentProcessingTime();
    if (this.pending.size >= this.ctx.config.getMaxConcurrentCheckpoints()) {
      // Triggered again when a slot frees up.
      this.waitingForSlot = true;
      return;
    }
    const earliest = this.lastCheckpointEnd + this.ctx.config.getMinPauseBetweenCheckpoints();
    if (now < earliest) {
      this.schedule(earliest);
      return;
    }
    this.schedule(now + this.ctx.config.getCheckpointInterval());
    if (this.notReadyReason()) return;
    this.startCheckpoint({}).catch(() => {
      // Counted in the stats; a periodic checkpoint failing does not fail the job.
    });
  }

  private onCheckpointEnded(): void {
    this.lastCheckpointEnd = this.ctx.timers.getCurrentProcessingTime();
    if (!this.waitingForSlot || !this.attached) return;
    this.waitingForSlot = false;
    const earliest = this.lastCheckpointEnd + this.ctx.config.getMinPauseBetweenCheckpoints();
    this.schedule(earliest);
  }

  private startCheckpoint(options: InternalTriggerOptions): Promise<CompletedCheckpoint> {
    const id = this.nextId++;
    const synchronous = options.synchronous === true;
    if (synchronous) this.synchronousSavepoint = id;
    const timestamp = this.ctx.timers.getCurrentProcessingTime();
    let resolve!: (c: CompletedCheckpoint) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<CompletedCheckpoint>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: PendingCheckpoint = {
      id,
      timestamp,
      kind: synchronous ? 'savepoint' : (options.kind ?? 'checkpoint'),
      synchronous,
      storage: options.storage ?? this.ctx.storage,
      participants: this.participants,
      remaining: new Set(this.participants.map((x) => x.task)),
      acks: new Map(),
      coordinators: new Map(),
      timeout: undefined,
      acknowledged: false,
      resolve,
      reject,
    };
    this.pending.set(id, p);
    if (this.planner !== undefined && p.kind === 'checkpoint' && p.storage === this.ctx.storage) {
      const base = this.latest?.checkpointId;
      const length = base === undefined ? undefined : this.chainLengths.get(base);
      const chain = this.ctx.config.getIncrementalChainLength();
      this.plans.set(id, { base, full: length === undefined || length + 1 >= chain });
    }
    p.timeout = this.ctx.timers.registerTimer(timestamp + this.ctx.config.getCheckpointTimeout(), () => {
      if (this.pending.get(id) === p && !p.acknowledged)
        this.abort(p, 'checkpoint expired before completing');
    });
    try {
      // Enumerator first, then the readers, all in this turn: no split moves in between.
      for (const [uid, bytes] of this.snapshotCoordinators(id)) p.coordinators.set(uid, bytes);
      const barrier: CheckpointBarrier = { checkpointId: id, timestamp };
      for (const part of this.participants) {
        const task = part.task;
        if (task.state === 'FINISHED') this.acknowledge(task, id, task.snapshotOperators(id));
        else if (task.isSource && task.state === 'RUNNING') task.triggerCheckpoint(barrier);
        // Finishing tasks, and running ones whose inputs all end, acknowledge from onTaskFinished.
      }
    } catch (err) {
      this.abort(p, 'snapshot failed', err);
      throw err;
    }
    return promise;
  }

  private snapshotCoordinators(id: number): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [uid, c] of this.sourceCoordinators) out.set(uid, serialize(c.snapshotState(id)));
    return out;
  }

  private onAllAcknowledged(p: PendingCheckpoint): void {
    p.acknowledged = true;
    p.timeout?.cancel();
    const epoch = this.epoch;
    const built = this.buildCheckpoint(
      p.id,
      p.timestamp,
      p.kind,
      p.participants,
      p.acks,
      p.coordinators,
      false,
    );
    const plan = this.plans.get(p.id);
    this.plans.delete(p.id);
    const checkpoint: CompletedCheckpoint =
      plan !== undefined && !plan.full && plan.base !== undefined ? { ...built, base: plan.base } : built;
    this.storing++;
    this.storeChain = this.storeChain.then(async () => {
      let stored: CompletedCheckpoint;
      try {
        stored = await this.store(checkpoint, p.storage, p.timestamp);
      } catch (err) {
        this.abort(p, 'storing the checkpoint failed', err);
        return;
      } finally {
        this.storing--;
      }
      this.pending.delete(p.id);
      // An intermediate savepoint commits nothing (as in Flink 1.15+): a restart goes back to the
      // latest checkpoint, so output committed at a savepoint would be produced twice. Its sealed
      // output is committed by the next checkpoint; a restore from the savepoint commits it too.
      const notifies = p.kind === 'checkpoint' || p.synchronous;
      if (notifies) {
        // Older checkpoints still in flight are subsumed by this one.
        for (const older of [...this.pending.values()]) {
          if (older.id < p.id && !older.acknowledged) this.abort(older, `subsumed by checkpoint ${p.id}`);
        }
      }
      this.onCheckpointEnded();
      if (notifies && epoch === this.epoch) await this.notifyComplete(p.participants, p.id);
      // After the commits: deleting files must not delay them.
      await this.enforceRetention().catch(() => {
        // A checkpoint that could not be deleted is retried after the next one.
      });
      // The caller of triggerCheckpoint sees the commits and the retention done.
      p.resolve(stored);
    });
  }

  private async store(
    checkpoint: CompletedCheckpoint,
    storage: CheckpointStorage,
    triggerTime: number,
  ): Promise<CompletedCheckpoint> {
    const pointer = await storage.store(checkpoint);
    const stored: CompletedCheckpoint = { ...checkpoint, externalPointer: pointer };
    if (checkpoint.kind === 'savepoint') return stored;
    if (this.planner !== undefined && storage === this.ctx.storage) {
      const base = checkpoint.base;
      this.chainLengths.set(
        checkpoint.checkpointId,
        base === undefined ? 0 : (this.chainLengths.get(base) ?? 0) + 1,
      );
      for (const id of this.chainLengths.keys())
        if (id < checkpoint.checkpointId) this.chainLengths.delete(id);
    }
    this.latest = stored;
    this.completedCount++;
    this.ownCheckpoints.push(checkpoint.checkpointId);
    this.lastStats = {
      checkpointId: checkpoint.checkpointId,
      triggerTimestamp: triggerTime,
      duration: this.ctx.timers.getCurrentProcessingTime() - triggerTime,
      stateSize: checkpointStateSize(checkpoint),
      externalPointer: pointer,
    };
    if (storage === this.ctx.storage) this.retained.push(checkpoint.checkpointId);
    return stored;
  }

  /** Deletes completed checkpoints beyond the retained count, oldest first, after a new one. */
  private async enforceRetention(): Promise<void> {
    while (this.retained.length > this.ctx.config.getMaxRetainedCheckpoints()) {
      const id = this.retained[0]!;
      await this.ctx.storage.discard(id);
      this.retained.shift();
      const own = this.ownCheckpoints.indexOf(id);
      if (own >= 0) this.ownCheckpoints.splice(own, 1);
    }
  }

  private buildCheckpoint(
    id: number,
    timestamp: number,
    kind: SnapshotKind,
    participants: readonly CheckpointParticipant[],
    acks: ReadonlyMap<StreamTask, readonly OperatorSnapshot[]>,
    coordinators: ReadonlyMap<string, Uint8Array>,
    finalCheckpoint: boolean,
  ): CompletedCheckpoint {
    const operators: Record<string, { parallelism: number; maxParallelism: number; subtasks: Uint8Array[] }> =
      {};
    for (const part of participants) {
      const snapshots = acks.get(part.task)!;
      part.operators.forEach((op, i) => {
        let entry = operators[op.uid];
        if (!entry) {
          entry = { parallelism: op.parallelism, maxParallelism: op.maxParallelism, subtasks: [] };
          operators[op.uid] = entry;
        }
        entry.subtasks[part.subtaskIndex] = encodeOperatorSnapshot(snapshots[i]!);
      });
    }
    const withCoordinators: Record<string, OperatorCheckpointState> = { ...operators };
    for (const [uid, bytes] of coordinators) {
      const op = operators[uid];
      if (op) withCoordinators[uid] = { ...op, coordinator: bytes };
    }
    return {
      jobId: this.ctx.jobId,
      jobName: this.ctx.jobName,
      checkpointId: id,
      timestamp,
      kind,
      finalCheckpoint,
      operators: withCoordinators,
    };
  }

  private abort(p: PendingCheckpoint, reason: string, cause?: unknown): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    this.plans.delete(p.id);
    if (this.synchronousSavepoint === p.id) this.synchronousSavepoint = undefined;
    p.timeout?.cancel();
    this.failedCount++;
    if (this.attached) {
      for (const part of p.participants) {
        for (const op of part.task.operators) {
          try {
            op.notifyCheckpointAborted?.(p.id);
          } catch (err) {
            this.ctx.failJob(err);
          }
        }
      }
    }
    this.onCheckpointEnded();
    p.reject(new CheckpointException(p.id, reason, cause === undefined ? undefined : { cause }));
  }

  private async notifyComplete(
    participants: readonly CheckpointParticipant[],
    id: number,
    onError: (error: unknown) => void = this.ctx.failJob,
  ): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const part of participants) {
      for (const op of part.task.operators) {
        try {
          const r = op.notifyCheckpointComplete?.(id);
          if (r) pending.push(Promise.resolve(r).catch(onError));
        } catch (err) {
          onError(err);
        }
      }
    }
    await Promise.all(pending);
  }
}
