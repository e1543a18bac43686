import type { TaskInfo } from '../api/runtime-context.js';
import type { CheckpointParticipant } from '../checkpoint/checkpoint-coordinator.js';
import type { RestoredState } from '../checkpoint/restored-state.js';
import type { Source } from '../connectors/source.js';
import { JobGraph, type JobVertex } from '../graph/job-graph.js';
import type { StreamEdge, StreamNode } from '../graph/stream-graph.js';
import { KeyGroupRange } from '../state/key-groups.js';
import type { SnapshotPlanner } from '../state/snapshot-plan.js';
import { ChainingOutput, RoutingOutput } from './chaining-output.js';
import { Channel } from './channel.js';
import { InputGate } from './input-gate.js';
import type { JobConfig } from './job-execution.js';
import type { JobProcessingTimeService } from './job-processing-time-service.js';
import { SourceOperator } from './operators/source-operator.js';
import type { Output } from './output.js';
import { RescalePartitioner } from './partitioners/rescale-partitioner.js';
import { RecordWriterOutput } from './record-writer-output.js';
import { SourceCoordinator } from './source-coordinator.js';
import type { OneInputStreamOperator, StreamOperator } from './stream-operator.js';
import { StreamTask, type TaskHost } from './stream-task.js';

/** The tasks of a job, ready to open, and the coordinators of its sources. */
export interface Deployment {
  readonly tasks: StreamTask[];
  readonly coordinators: SourceCoordinator<any, any, any>[];
  /** The tasks with the uids of their chained operators, for checkpoints. */
  readonly participants: CheckpointParticipant[];
  /** The split enumerator of each source, by the source's uid. */
  readonly sourceCoordinators: Map<string, SourceCoordinator<any, any, any>>;
}

/** How to deploy: from scratch, or restoring a checkpoint (and which attempt this is). */
export interface DeployOptions {
  readonly restored?: RestoredState;
  /** 0 for the first run, incremented on every restart (`TaskInfo.attemptNumber`). */
  readonly attemptNumber?: number;
  /** Incremental checkpoints: handed to every keyed backend. */
  readonly snapshotPlanner?: SnapshotPlanner;
}

/**
 * Turns a job graph into runnable tasks: one per chain and parallel instance, each with fresh
 * operator instances set up and initialized, chained outputs as direct calls, and a bounded
 * channel per pair of connected instances on every exchange.
 */
export function deployTasks(
  jobGraph: JobGraph,
  config: JobConfig,
  host: TaskHost,
  processingTimeService: JobProcessingTimeService,
  options: DeployOptions = {},
): Deployment {
  return new TaskDeployer(jobGraph, config, host, processingTimeService, options).deploy();
}

class TaskDeployer {
  private readonly coordinatorOf = new Map<number, SourceCoordinator<any, any, any>>();
  /** Per exchange edge: [upstream instance] -> its channels, in downstream order. */
  private readonly writerChannels = new Map<StreamEdge, Channel[][]>();
  /** Per exchange edge: [downstream instance] -> its channels, in upstream order. */
  private readonly readerChannels = new Map<StreamEdge, Channel[][]>();

  constructor(
    private readonly jobGraph: JobGraph,
    private readonly config: JobConfig,
    private readonly host: TaskHost,
    private readonly processingTimeService: JobProcessingTimeService,
    private readonly options: DeployOptions,
  ) {}

  deploy(): Deployment {
    for (const v of this.jobGraph.vertices) {
      if (v.head.kind === 'source') {
        this.coordinatorOf.set(
          v.head.id,
          new SourceCoordinator(
            v.head.source as Source<any, any, any>,
            v.parallelism,
            this.options.restored?.coordinatorState(v.head.uid),
          ),
        );
      }
      for (const e of v.outEdges) this.wireExchange(e);
    }
    const tasks: StreamTask[] = [];
    const participants: CheckpointParticipant[] = [];
    for (const v of this.jobGraph.vertices) {
      const operators = v.nodes.map((n) => ({
        uid: n.uid,
        parallelism: n.parallelism,
        maxParallelism: n.maxParallelism,
      }));
      for (let i = 0; i < v.parallelism; i++) {
        const task = this.createTask(v, i);
        tasks.push(task);
        participants.push({ task, subtaskIndex: i, operators });
      }
    }
    const sourceCoordinators = new Map<string, SourceCoordinator<any, any, any>>();
    for (const v of this.jobGraph.vertices) {
      const c = this.coordinatorOf.get(v.head.id);
      if (c) sourceCoordinators.set(v.head.uid, c);
    }
    return { tasks, coordinators: [...this.coordinatorOf.values()], participants, sourceCoordinators };
  }

  private wireExchange(e: StreamEdge): void {
    const pu = e.source.parallelism;
    const pd = e.target.parallelism;
    const w: Channel[][] = Array.from({ length: pu }, () => []);
    const r: Channel[][] = Array.from({ length: pd }, () => []);
    for (let u = 0; u < pu; u++) {
      for (let d = 0; d < pd; d++) {
        if (!connects(e, u, d)) continue;
        const c = new Channel(this.config.bufferCapacity);
        w[u]!.push(c);
        r[d]!.push(c);
      }
    }
    this.writerChannels.set(e, w);
    this.readerChannels.set(e, r);
  }

  private createTask(v: JobVertex, index: number): StreamTask {
    const cfg = this.config;
    const operators = new Map<number, StreamOperator<unknown>>();
    for (const n of v.nodes) {
      const op =
        n.kind === 'source'
          ? new SourceOperator(
              n.source!,
              n.watermarkStrategy!,
              cfg.autoWatermarkInterval,
              this.coordinatorOf.get(n.id)!,
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
          const channels = this.writerChannels.get(e)![index]!;
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
        attemptNumber: this.options.attemptNumber ?? 0,
      };
      const op = operators.get(n.id)!;
      op.setup({
        output: RoutingOutput.of(main, sides),
        taskInfo,
        jobName: cfg.jobName,
        processingTimeService: this.processingTimeService,
        clock: cfg.clock,
        executionMode: cfg.executionMode,
        keyed: isKeyed(n)
          ? {
              maxParallelism: n.maxParallelism,
              keyGroupRange: KeyGroupRange.forOperatorIndex(n.maxParallelism, n.parallelism, index),
              ...(this.options.snapshotPlanner !== undefined
                ? { snapshotPlanner: this.options.snapshotPlanner }
                : {}),
            }
          : undefined,
        blockOn,
      });
      op.initializeState(this.options.restored?.operatorSnapshots(n.uid));
    }

    const head = operators.get(v.head.id)!;
    const gates: InputGate[] = [];
    if (v.head.kind !== 'source') {
      const inputs = v.head.kind === 'two-input' ? [1, 2] : [1];
      for (const typeNumber of inputs) {
        const channels = v.inEdges
          .filter((e) => e.typeNumber === typeNumber)
          .flatMap((e) => this.readerChannels.get(e)![index]!);
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
        const gate = new InputGate(channels, onWatermark, onStatus);
        // After a restore the head's event time is where the snapshot left it: its channels too.
        if (typeof h.getCurrentWatermark === 'function')
          gate.valve.initializeWatermark(h.getCurrentWatermark());
        gates.push(gate);
      }
    }
    task = new StreamTask(
      `${v.name} (${index + 1}/${v.parallelism})`,
      index,
      v.nodes.map((n) => operators.get(n.id)!),
      gates,
      writers,
      this.host,
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
