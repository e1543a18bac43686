import { setTimeout as sleep, setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { CheckpointCoordinator, type TriggerOptions } from '../checkpoint/checkpoint-coordinator.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { CompletedCheckpoint } from '../checkpoint/completed-checkpoint.js';
import { ExternalizedCheckpointRetention } from '../checkpoint/externalized-checkpoint-retention.js';
import { FileCheckpointStorage } from '../checkpoint/file-checkpoint-storage.js';
import { RestoredState } from '../checkpoint/restored-state.js';
import { FileSavepointStorage } from '../checkpoint/savepoint-storage.js';
import type { JobGraph } from '../graph/job-graph.js';
import {
  createRestartBackoffStrategy,
  type RestartBackoffStrategy,
} from '../restart/restart-backoff-strategy.js';
import { RestartStrategies, type RestartStrategyConfiguration } from '../restart/restart-strategies.js';
import { type Clock, ManualClock } from '../time/processing-time-service.js';
import { deployTasks } from './job-deployment.js';
import { JobProcessingTimeService } from './job-processing-time-service.js';
import type { SourceCoordinator } from './source-coordinator.js';
import type { OperatorSnapshot, RuntimeExecutionMode } from './stream-operator.js';
import { type StreamTask, type TaskHost, TaskState } from './stream-task.js';

/** Status of a job (Flink's `JobStatus`, the states this runtime uses). */
export enum JobStatus {
  CREATED = 'CREATED',
  RUNNING = 'RUNNING',
  /** Failed; waiting for the restart delay before redeploying from the latest checkpoint. */
  RESTARTING = 'RESTARTING',
  FINISHED = 'FINISHED',
  CANCELED = 'CANCELED',
  FAILED = 'FAILED',
}

/** What a finished (or cancelled) job reports. */
export interface JobExecutionResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: JobStatus.FINISHED | JobStatus.CANCELED;
  /** Wall-clock run time in milliseconds. */
  readonly netRuntime: number;
  /** Set when the job ended through `stopWithSavepoint`: the savepoint's directory. */
  readonly savepointPath?: string;
}

/** A job that failed; `cause` is the first error a task raised. */
export class JobExecutionError extends Error {
  constructor(
    readonly jobName: string,
    cause: unknown,
  ) {
    super(`Job '${jobName}' failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'JobExecutionError';
  }
}

/** Settings of one job run. */
export interface JobConfig {
  readonly jobName: string;
  readonly executionMode: RuntimeExecutionMode.STREAMING | RuntimeExecutionMode.BATCH;
  readonly autoWatermarkInterval: number;
  readonly clock: Clock;
  /** Elements an exchange channel holds before its producer is paused. */
  readonly bufferCapacity: number;
  readonly chainingEnabled: boolean;
  /** Checkpointing settings (periodic checkpoints when an interval is set). */
  readonly checkpointConfig?: CheckpointConfig;
  /** Default: no restart. */
  readonly restartStrategy?: RestartStrategyConfiguration;
  /** A completed checkpoint, or the path of one (file storage), to start from. */
  readonly restoreFrom?: string | CompletedCheckpoint;
  /** Skip checkpointed state of operators the job no longer has, instead of failing. */
  readonly allowNonRestoredState?: boolean;
}

/** Elements (or source polls) a task handles before the scheduler moves on. */
const TASK_BUDGET = 1024;
/** Run this long at most before letting I/O callbacks in. */
const YIELD_EVERY_MS = 8;

let nextJobId = 1;

/**
 * Runs a job graph in this process: one task per chain and parallel instance, in-memory bounded
 * exchanges, and a cooperative scheduler that gives each runnable task a budget of records in
 * turn, fires processing-time timers between batches, and sleeps when nothing can run.
 */
export class JobExecution implements TaskHost {
  readonly jobId = `job-${nextJobId++}`;
  status = JobStatus.CREATED;
  readonly result: Promise<JobExecutionResult>;
  private resolveResult!: (r: JobExecutionResult) => void;
  private rejectResult!: (e: unknown) => void;
  private tasks: StreamTask[] = [];
  private readonly coordinators: SourceCoordinator<any, any, any>[] = [];
  private readonly pts: JobProcessingTimeService;
  private failure: { error: unknown } | undefined;
  private workPending = false;
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private unsubscribeClock: (() => void) | undefined;
  private startTime = 0;
  private readonly checkpointConfig: CheckpointConfig;
  private readonly checkpoints: CheckpointCoordinator;
  private readonly restartStrategy: RestartBackoffStrategy;
  /** What the current attempt restores from: the job's `restoreFrom`, then the latest checkpoint. */
  private restoreFrom: CompletedCheckpoint | undefined;
  private attempt = 0;
  private restarts = 0;
  private wakeRestart: (() => void) | undefined;
  /** Callers of `triggerCheckpoint` waiting for the tasks to be deployed and open. */
  private deployWaiters: Array<() => void> = [];
  /** Checkpoint triggers and timeouts: they keep running while operator timers are held. */
  private readonly checkpointTimers: JobProcessingTimeService;
  /** A stop-with-savepoint is under way: operator timers are held, suspended tasks do not run. */
  private stopping = false;
  /** Tasks that took their stop-with-savepoint snapshot. */
  private readonly suspended = new Set<StreamTask>();
  private savepointPath: string | undefined;

  constructor(
    private readonly jobGraph: JobGraph,
    private readonly config: JobConfig,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // The caller may never await the result; a failure must not become an unhandled rejection.
    this.result.catch(() => {});
    this.pts = new JobProcessingTimeService(config.clock, () => this.notifyWork());
    this.checkpointTimers = new JobProcessingTimeService(config.clock, () => this.notifyWork());
    this.checkpointConfig = config.checkpointConfig ?? new CheckpointConfig();
    this.checkpoints = new CheckpointCoordinator({
      jobId: this.jobId,
      jobName: config.jobName,
      config: this.checkpointConfig,
      storage: this.checkpointConfig.createStorage(),
      timers: this.checkpointTimers,
      failJob: (error) => this.failTask(undefined, error),
      suspendTask: (task) => this.suspended.add(task),
    });
    this.restartStrategy = createRestartBackoffStrategy(
      config.restartStrategy ?? RestartStrategies.noRestart(),
    );
  }

  /** Builds the tasks, opens every operator and runs until the job ends. */
  start(): this {
    this.status = JobStatus.RUNNING;
    this.startTime = Date.now();
    if (this.config.clock instanceof ManualClock) {
      this.unsubscribeClock = this.config.clock.onAdvance(() => this.notifyWork());
    }
    this.run().catch((err) => this.failTask(undefined, err));
    return this;
  }

  /** Stops the job; resolves once every operator is closed. */
  async cancel(): Promise<void> {
    if (
      this.status !== JobStatus.RUNNING &&
      this.status !== JobStatus.CREATED &&
      this.status !== JobStatus.RESTARTING
    )
      return;
    this.status = JobStatus.CANCELED;
    this.notifyWork();
    this.wakeRestart?.();
    await this.result.catch(() => {});
  }

  /** Every task of the job, for tests and metrics. */
  getTasks(): readonly StreamTask[] {
    return this.tasks;
  }

  notifyWork(): void {
    this.workPending = true;
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
      wake();
    }
  }

  failTask(task: StreamTask | undefined, error: unknown): void {
    if (this.failure || this.status !== JobStatus.RUNNING) return;
    // A late callback of a task from before a restart.
    if (task !== undefined && !this.tasks.includes(task)) return;
    this.failure = { error };
    this.status = JobStatus.FAILED;
    this.notifyWork();
  }

  taskFinished(task: StreamTask): void {
    if (this.tasks.includes(task)) this.checkpoints.onTaskFinished(task);
  }

  acknowledgeCheckpoint(
    task: StreamTask,
    checkpointId: number,
    snapshots: readonly OperatorSnapshot[],
  ): void {
    this.checkpoints.acknowledge(task, checkpointId, snapshots);
  }

  /**
   * Triggers a checkpoint now (a savepoint with `options`); resolves once it is stored. Called
   * while the job is still deploying (or restarting), it waits for the tasks to be open.
   */
  async triggerCheckpoint(options?: TriggerOptions): Promise<CompletedCheckpoint> {
    await this.awaitDeployed();
    return this.checkpoints.triggerCheckpoint(options);
  }

  /**
   * Stop-with-savepoint (Flink's `stop`, without `--drain`): a savepoint into `targetDirectory`
   * whose barrier is the last thing each source emits; every task stops taking input and firing
   * processing-time timers once it took its snapshot; when the savepoint is stored, operators are
   * notified (two-phase-commit sinks commit what it covers), commits are awaited, and the job ends
   * FINISHED without `finish()` (windows are not flushed: the state is in the savepoint). Resolves
   * with the savepoint's directory. If the savepoint fails, the job keeps running.
   */
  async stopWithSavepoint(targetDirectory: string): Promise<string> {
    await this.awaitDeployed();
    if (this.stopping) throw new Error(`job '${this.config.jobName}' is already stopping with a savepoint`);
    this.stopping = true;
    let savepoint: CompletedCheckpoint;
    try {
      savepoint = await this.checkpoints.triggerCheckpoint({
        kind: 'savepoint',
        storage: new FileSavepointStorage(targetDirectory, this.jobId),
        synchronous: true,
      });
    } catch (err) {
      this.stopping = false;
      this.suspended.clear();
      this.notifyWork();
      throw err;
    }
    // Commits started by the notification may pause their tasks (an async commit): let them end.
    const attempt = this.attempt;
    const current = (): boolean => this.status === JobStatus.RUNNING && this.attempt === attempt;
    while (current() && this.tasks.some((t) => t.isBlocked())) await sleep(1);
    if (current()) {
      this.savepointPath = savepoint.externalPointer;
      this.status = JobStatus.FINISHED;
      this.notifyWork();
    } else if (this.attempt !== attempt || this.status !== JobStatus.FINISHED) {
      // A commit failed (the job failed or restarted), or the job was cancelled meanwhile.
      throw new Error(
        `job '${this.config.jobName}' did not stop after savepoint ${savepoint.checkpointId} (status ${this.status})`,
      );
    }
    await this.result.catch(() => {});
    return savepoint.externalPointer!;
  }

  /** Waits until the tasks are deployed and open (or the job ended). */
  private async awaitDeployed(): Promise<void> {
    while (
      !this.checkpoints.isAttached() &&
      (this.status === JobStatus.CREATED ||
        this.status === JobStatus.RUNNING ||
        this.status === JobStatus.RESTARTING)
    ) {
      await new Promise<void>((resolve) => this.deployWaiters.push(resolve));
    }
  }

  private releaseDeployWaiters(): void {
    const waiters = this.deployWaiters;
    this.deployWaiters = [];
    for (const w of waiters) w();
  }

  getCheckpointStats(): CheckpointStats {
    return this.checkpoints.getStats();
  }

  /** How many times the job was redeployed after a failure. */
  getNumberOfRestarts(): number {
    return this.restarts;
  }

  private async run(): Promise<void> {
    try {
      const from = this.config.restoreFrom;
      if (from !== undefined) {
        this.restoreFrom = await loadRestorable(from);
        // A checkpoint that does not fit the job is a configuration error: fail, never restart.
        this.restoredState();
      }
      await this.checkpoints.initialize(this.restoreFrom);
    } catch (err) {
      this.failTask(undefined, err);
    }
    while (this.status === JobStatus.RUNNING) {
      try {
        await this.deploy();
        if (this.status === JobStatus.RUNNING) await this.loop();
        if (
          (this.status as JobStatus) === JobStatus.FINISHED &&
          this.checkpointConfig.isCheckpointingEnabled() &&
          this.savepointPath === undefined
        ) {
          await this.checkpoints.completeFinalCheckpoint();
        }
      } catch (err) {
        if ((this.status as JobStatus) === JobStatus.FINISHED) this.status = JobStatus.RUNNING;
        this.failTask(undefined, err);
      }
      if (!(await this.restartAfterFailure())) break;
    }
    await this.shutdown();
  }

  /**
   * Applies the restart strategy to the failure of the current attempt: tears the tasks down,
   * waits the delay, and returns true to redeploy from the latest completed checkpoint.
   */
  private async restartAfterFailure(): Promise<boolean> {
    if (this.status !== JobStatus.FAILED || !this.failure) return false;
    const now = this.config.clock.now();
    this.restartStrategy.notifyFailure(now);
    if (!this.restartStrategy.canRestart(now)) return false;
    this.status = JobStatus.RESTARTING;
    this.checkpoints.detach('the job failed');
    this.pts.clear();
    this.checkpointTimers.clear();
    this.stopping = false;
    this.suspended.clear();
    await this.closeTasks();
    this.tasks = [];
    this.coordinators.length = 0;
    await this.waitBeforeRestart(this.restartStrategy.getBackoffTime());
    // A checkpoint acknowledged before the failure may still be storing: it is the newest cut.
    await this.checkpoints.awaitStores();
    if (this.status !== JobStatus.RESTARTING) {
      this.failure = undefined; // cancelled while waiting
      return false;
    }
    this.restoreFrom = (await this.checkpoints.latestRestorable()) ?? this.restoreFrom;
    this.failure = undefined;
    this.attempt++;
    this.restarts++;
    this.status = JobStatus.RUNNING;
    return true;
  }

  /** Waits `delay` ms of the job's clock (a `ManualClock` must be advanced), or until cancelled. */
  private waitBeforeRestart(delay: number): Promise<void> {
    if (delay <= 0) return Promise.resolve();
    const clock = this.config.clock;
    const until = clock.now() + delay;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let unsubscribe: (() => void) | undefined;
      const check = (): void => {
        if (this.status === JobStatus.RESTARTING && clock.now() < until) return;
        if (timer) clearTimeout(timer);
        unsubscribe?.();
        this.wakeRestart = undefined;
        resolve();
      };
      this.wakeRestart = check;
      if (clock instanceof ManualClock) unsubscribe = clock.onAdvance(check);
      else {
        const poll = (): void => {
          timer = setTimeout(
            () => {
              check();
              if (this.wakeRestart === check) poll();
            },
            Math.max(1, until - clock.now()),
          );
        };
        poll();
      }
    });
  }

  /** Closes every operator and split enumerator of the current attempt; returns the errors. */
  private async closeTasks(): Promise<unknown[]> {
    const closeErrors: unknown[] = [];
    for (const t of this.tasks) {
      for (const op of t.operators) {
        try {
          await op.close();
        } catch (err) {
          closeErrors.push(err);
        }
      }
    }
    for (const c of this.coordinators) {
      try {
        c.close();
      } catch (err) {
        closeErrors.push(err);
      }
    }
    return closeErrors;
  }

  private async loop(): Promise<void> {
    const tasks = this.tasks;
    let lastYield = performance.now();
    while (this.status === JobStatus.RUNNING) {
      this.workPending = false;
      let worked = 0;
      try {
        for (let i = 0; i < tasks.length; i++) {
          const t = tasks[i]!;
          if (t.isRunnable() && !(this.stopping && this.suspended.has(t))) worked += t.run(TASK_BUDGET);
        }
        if (!this.stopping) worked += this.pts.fireDue();
        worked += this.checkpointTimers.fireDue();
      } catch (err) {
        this.failTask(undefined, err);
        break;
      }
      if (tasks.every((t) => t.state === TaskState.FINISHED)) {
        this.status = JobStatus.FINISHED;
        break;
      }
      if (worked === 0) {
        await this.waitForWork();
        lastYield = performance.now();
      } else if (performance.now() - lastYield > YIELD_EVERY_MS || this.checkpoints.isStoring()) {
        // A checkpoint being stored completes in promise callbacks: let them run now.
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  private waitForWork(): Promise<void> {
    if (this.workPending || this.status !== JobStatus.RUNNING) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      const op = this.stopping ? undefined : this.pts.nextTime();
      const cp = this.checkpointTimers.nextTime();
      const next = op === undefined ? cp : cp === undefined ? op : Math.min(op, cp);
      if (next !== undefined && !(this.config.clock instanceof ManualClock)) {
        const delay = Math.max(0, next - this.config.clock.now());
        this.wakeTimer = setTimeout(() => this.notifyWork(), delay);
      }
    });
  }

  private async shutdown(): Promise<void> {
    this.unsubscribeClock?.();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.pts.clear();
    this.checkpointTimers.clear();
    this.checkpoints.detach('the job stopped');
    this.releaseDeployWaiters();
    const closeErrors = await this.closeTasks();
    await this.checkpoints.awaitStores();
    const retention = this.checkpointConfig.getExternalizedCheckpointRetention();
    if (
      retention === ExternalizedCheckpointRetention.NO_EXTERNALIZED_CHECKPOINTS ||
      (retention === ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION &&
        this.status === JobStatus.CANCELED)
    ) {
      try {
        await this.checkpoints.discardOwnCheckpoints();
      } catch (err) {
        closeErrors.push(err);
      }
    }
    if (!this.failure && closeErrors.length > 0 && this.status === JobStatus.FINISHED) {
      this.failure = { error: closeErrors[0] };
      this.status = JobStatus.FAILED;
    }
    if (this.failure) {
      this.rejectResult(new JobExecutionError(this.config.jobName, this.failure.error));
      return;
    }
    this.resolveResult({
      jobId: this.jobId,
      jobName: this.config.jobName,
      status: this.status === JobStatus.CANCELED ? JobStatus.CANCELED : JobStatus.FINISHED,
      netRuntime: Date.now() - this.startTime,
      ...(this.savepointPath !== undefined ? { savepointPath: this.savepointPath } : {}),
    });
  }

  private restoredState(): RestoredState | undefined {
    if (this.restoreFrom === undefined) return undefined;
    return RestoredState.of(
      this.restoreFrom,
      this.jobGraph.vertices.flatMap((v) =>
        v.nodes.map((n) => ({
          uid: n.uid,
          name: n.name,
          maxParallelism: n.maxParallelism,
          keyed: n.keySelectors.some((k) => k !== undefined),
        })),
      ),
      { allowNonRestoredState: this.config.allowNonRestoredState },
    );
  }

  /** Instantiates and wires the tasks, starts the split enumerators and opens every operator. */
  private async deploy(): Promise<void> {
    const deployment = deployTasks(this.jobGraph, this.config, this, this.pts, {
      restored: this.restoredState(),
      attemptNumber: this.attempt,
      ...(this.checkpoints.snapshotPlanner() !== undefined
        ? { snapshotPlanner: this.checkpoints.snapshotPlanner() }
        : {}),
    });
    this.tasks = deployment.tasks;
    this.coordinators.push(...deployment.coordinators);
    for (const c of this.coordinators) c.start();
    // Open tail first, so an operator never emits into one that is not open yet.
    for (const task of this.tasks) {
      for (let k = task.operators.length - 1; k >= 0; k--) {
        await task.operators[k]!.open();
        if (this.status !== JobStatus.RUNNING) return;
      }
    }
    this.checkpoints.attach(deployment.participants, deployment.sourceCoordinators);
    this.checkpoints.startPeriodic();
    this.releaseDeployWaiters();
  }
}

/**
 * What `restoreFrom` names, ready to restore: a path is loaded; an incremental checkpoint as
 * `triggerCheckpoint` returned it is loaded again from its directory, which resolves its chain.
 */
async function loadRestorable(from: string | CompletedCheckpoint): Promise<CompletedCheckpoint> {
  if (typeof from === 'string') return FileCheckpointStorage.loadFrom(from);
  const pointer = from.externalPointer;
  if (from.base === undefined || pointer === undefined || pointer.startsWith('memory:')) return from;
  return FileCheckpointStorage.loadFrom(pointer);
}
