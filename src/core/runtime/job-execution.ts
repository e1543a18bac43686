import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TaskInfo } from '../api/runtime-context.js';
import type { Source } from '../connectors/source.js';
import { JobGraph, type JobVertex } from '../graph/job-graph.js';
import type { StreamEdge, StreamNode } from '../graph/stream-graph.js';
import { KeyGroupRange } from '../state/key-groups.js';
import { type Clock, ManualClock } from '../time/processing-time-service.js';
import { ChainingOutput, RoutingOutput } from './chaining-output.js';
import { Channel } from './channel.js';
import { InputGate } from './input-gate.js';
import { JobProcessingTimeService } from './job-processing-time-service.js';
import { SourceOperator } from './operators/source-operator.js';
import type { Output } from './output.js';
import { RescalePartitioner } from './partitioners/rescale-partitioner.js';
import { RecordWriterOutput } from './record-writer-output.js';
import { SourceCoordinator } from './source-coordinator.js';
import type {
  OneInputStreamOperator,
  OperatorSnapshot,
  RuntimeExecutionMode,
  StreamOperator,
} from './stream-operator.js';
import { StreamTask, type TaskHost, TaskState } from './stream-task.js';

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
  /** Snapshots to start from, by operator uid (all former instances of that operator). */
  readonly restoredState?: ReadonlyMap<string, readonly OperatorSnapshot[]>;
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

  /** Instantiates operators, wires chains and exchanges, restores state and opens everything. */
  private async deploy(): Promise<void> {
    const cfg = this.config;
    const coordinatorOf = new Map<number, SourceCoordinator<any, any, any>>();
    for (const v of this.jobGraph.vertices) {
      if (v.head.kind === 'source') {
        const c = new SourceCoordinator(v.head.source as Source<any, any, any>, v.parallelism);
        coordinatorOf.set(v.head.id, c);
        this.coordinators.push(c);
      }
    }
    // Channels of every exchange edge: [upstream instance] -> channels in downstream order, and
    // [downstream instance] -> channels in upstream order.
    const writerChannels = new Map<StreamEdge, Channel[][]>();
    const readerChannels = new Map<StreamEdge, Channel[][]>();
    for (const v of this.jobGraph.vertices) {
      for (const e of v.outEdges) {
        const pu = e.source.parallelism;
        const pd = e.target.parallelism;
        const w: Channel[][] = Array.from({ length: pu }, () => []);
        const r: Channel[][] = Array.from({ length: pd }, () => []);
        for (let u = 0; u < pu; u++) {
          for (let d = 0; d < pd; d++) {
            if (!connects(e, u, d)) continue;
            const c = new Channel(cfg.bufferCapacity);
            w[u]!.push(c);
            r[d]!.push(c);
          }
        }
        writerChannels.set(e, w);
        readerChannels.set(e, r);
      }
    }

    const operatorsToOpen: StreamOperator<unknown>[] = [];
    for (const v of this.jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        const task = this.createTask(v, i, coordinatorOf, writerChannels, readerChannels);
        this.tasks.push(task);
        // Open tail first, so an operator never emits into one that is not open yet.
        for (let k = task.operators.length - 1; k >= 0; k--) operatorsToOpen.push(task.operators[k]!);
      }
    }
    for (const c of this.coordinators) c.start();
    for (const op of operatorsToOpen) {
      await op.open();
      if (this.status !== JobStatus.RUNNING) return;
    }
  }

  private createTask(
    v: JobVertex,
    index: number,
    coordinatorOf: Map<number, SourceCoordinator<any, any, any>>,
    writerChannels: Map<StreamEdge, Channel[][]>,
    readerChannels: Map<StreamEdge, Channel[][]>,
  ): StreamTask {
    const cfg = this.config;
    const operators = new Map<number, StreamOperator<unknown>>();
    for (const n of v.nodes) {
      const op =
        n.kind === 'source'
          ? new SourceOperator(
              n.source!,
              n.watermarkStrategy!,
              cfg.autoWatermarkInterval,
              coordinatorOf.get(n.id)!,
            )
          : n.operatorFactory!();
      operators.set(n.id, op);
    }
    const writers: RecordWriterOutput<unknown>[] = [];
    let task: StreamTask | undefined;
    const blockOn = (p: PromiseLike<unknown>): void => task!.blockOn(p);
    for (const n of v.nodes) {
      const main: Output<unknown>[] = [];
      const sides = new Map<string, Output<unknown>[]>();
      for (const e of n.outEdges) {
        let out: Output<unknown>;
        if (JobGraph.isChainable(e, cfg.chainingEnabled)) {
          out = new ChainingOutput(operators.get(e.target.id) as OneInputStreamOperator<unknown, unknown>);
        } else {
          const channels = writerChannels.get(e)![index]!;
          const partitioner = e.partitioner.copy();
          partitioner.setup(channels.length, index);
          const writer = new RecordWriterOutput(channels, partitioner);
          writers.push(writer);
          out = writer;
        }
        if (e.outputTag) {
          const list = sides.get(e.outputTag.id) ?? [];
          list.push(out);
          sides.set(e.outputTag.id, list);
        } else {
          main.push(out);
        }
      }
      const taskInfo: TaskInfo = {
        taskName: n.name,
        indexOfThisSubtask: index,
        numberOfParallelSubtasks: n.parallelism,
        maxNumberOfParallelSubtasks: n.maxParallelism,
        attemptNumber: 0,
      };
      const op = operators.get(n.id)!;
      op.setup({
        output: RoutingOutput.of(main, sides),
        taskInfo,
        jobName: cfg.jobName,
        processingTimeService: this.pts,
        clock: cfg.clock,
        executionMode: cfg.executionMode,
        keyed: isKeyed(n)
          ? {
              maxParallelism: n.maxParallelism,
              keyGroupRange: KeyGroupRange.forOperatorIndex(n.maxParallelism, n.parallelism, index),
            }
          : undefined,
        blockOn,
      });
      op.initializeState(cfg.restoredState?.get(n.uid));
    }

    const head = operators.get(v.head.id)!;
    const gates: InputGate[] = [];
    if (v.head.kind !== 'source') {
      const inputs = v.head.kind === 'two-input' ? [1, 2] : [1];
      for (const typeNumber of inputs) {
        const channels = v.inEdges
          .filter((e) => e.typeNumber === typeNumber)
          .flatMap((e) => readerChannels.get(e)![index]!);
        const h = head as any;
        const onWatermark =
          v.head.kind === 'one-input'
            ? (wm: number) => h.processWatermark(wm)
            : typeNumber === 1
              ? (wm: number) => h.processWatermark1(wm)
              : (wm: number) => h.processWatermark2(wm);
        const onStatus =
          v.head.kind === 'one-input'
            ? (idle: boolean) => h.processWatermarkStatus(idle)
            : typeNumber === 1
              ? (idle: boolean) => h.processWatermarkStatus1(idle)
              : (idle: boolean) => h.processWatermarkStatus2(idle);
        gates.push(new InputGate(channels, onWatermark, onStatus));
      }
    }
    task = new StreamTask(
      `${v.name} (${index + 1}/${v.parallelism})`,
      index,
      v.nodes.map((n) => operators.get(n.id)!),
      gates,
      writers,
      this,
      v.head.kind,
    );
    return task;
  }
}

function isKeyed(n: StreamNode): boolean {
  return n.keySelectors.some((k) => k !== undefined);
}

/** Whether upstream instance `u` feeds downstream instance `d` on this edge. */
function connects(e: StreamEdge, u: number, d: number): boolean {
  if (!e.partitioner.pointwise) return true;
  if (e.partitioner instanceof RescalePartitioner) {
    return RescalePartitioner.connects(u, e.source.parallelism, d, e.target.parallelism);
  }
  return u === d;
}
