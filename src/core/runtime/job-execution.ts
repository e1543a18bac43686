import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { JobGraph } from '../graph/job-graph.js';
import { type Clock, ManualClock } from '../time/processing-time-service.js';
import { deployTasks } from './job-deployment.js';
import { JobProcessingTimeService } from './job-processing-time-service.js';
import type { SourceCoordinator } from './source-coordinator.js';
import type { RuntimeExecutionMode } from './stream-operator.js';
import { type StreamTask, type TaskHost, TaskState } from './stream-task.js';

/** Status of a job (Flink's `JobStatus`, the states this runtime uses). */
export enum JobStatus {
  CREATED = 'CREATED',
  RUNNING = 'RUNNING',
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
    if (this.status !== JobStatus.RUNNING && this.status !== JobStatus.CREATED) return;
    this.status = JobStatus.CANCELED;
    this.notifyWork();
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

  failTask(_task: StreamTask | undefined, error: unknown): void {
    if (this.failure || this.status !== JobStatus.RUNNING) return;
    this.failure = { error };
    this.status = JobStatus.FAILED;
    this.notifyWork();
  }

  private async run(): Promise<void> {
    try {
      await this.deploy();
      if (this.status === JobStatus.RUNNING) await this.loop();
    } catch (err) {
      this.failTask(undefined, err);
    }
    await this.shutdown();
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
          if (t.isRunnable()) worked += t.run(TASK_BUDGET);
        }
        worked += this.pts.fireDue();
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
      } else if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  private waitForWork(): Promise<void> {
    if (this.workPending || this.status !== JobStatus.RUNNING) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      const next = this.pts.nextTime();
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
    });
  }

  /** Instantiates and wires the tasks, starts the split enumerators and opens every operator. */
  private async deploy(): Promise<void> {
    const deployment = deployTasks(this.jobGraph, this.config, this, this.pts);
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
  }
}
