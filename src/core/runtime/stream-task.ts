import { BarrierAligner } from '../checkpoint/barrier-aligner.js';
import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.js';
import { InputStatus } from '../connectors/source.js';
import { type Channel, type ChannelListener, ElementKind } from './channel.js';
import type { InputGate } from './input-gate.js';
import type { SourceOperator } from './operators/source-operator.js';
import type { RecordWriterOutput } from './record-writer-output.js';
import type {
  OneInputStreamOperator,
  OperatorSnapshot,
  StreamOperator,
  TwoInputStreamOperator,
} from './stream-operator.js';

/** Lifecycle of a task. */
export enum TaskState {
  RUNNING = 'RUNNING',
  /** Input ended; operators are finishing (may wait on async flushes). */
  FINISHING = 'FINISHING',
  FINISHED = 'FINISHED',
}

/** Wakes the scheduler when a task may have become runnable, and takes task failures. */
export interface TaskHost {
  notifyWork(): void;
  failTask(task: StreamTask, error: unknown): void;
  /** All input ended and every operator finished; the operators stay open until the job ends. */
  taskFinished?(task: StreamTask): void;
  /** The task snapshotted its chain (head first) for a checkpoint and forwarded the barrier. */
  acknowledgeCheckpoint?(
    task: StreamTask,
    checkpointId: number,
    snapshots: readonly OperatorSnapshot[],
  ): void;
}

/** Records taken from one channel before moving to the next, for cache-friendly batches. */
const CHANNEL_CHUNK = 256;

/**
 * One parallel instance of a chain (Flink's StreamTask): its operators, its input gates and the
 * writers of its exchanges. The scheduler calls `run` when `isRunnable`; the task processes up to
 * a budget of records synchronously and returns, so no record costs a promise.
 */
export class StreamTask implements ChannelListener {
  state = TaskState.RUNNING;
  /** Output channels at capacity: while > 0 the task takes no input (backpressure). */
  private fullChannels = 0;
  /** Pending promises (async sink writes) the task waits for before taking more input. */
  private pendingBlocks = 0;
  private sourceAvailable = true;
  private gateCursor = 0;
  private readonly totalChannels: number;
  private channelCursor = 0;
  private readonly sourceHead: SourceOperator<unknown> | undefined;
  private readonly oneInputHead: OneInputStreamOperator<unknown, unknown> | undefined;
  private readonly twoInputHead: TwoInputStreamOperator<unknown, unknown, unknown> | undefined;
  private readonly aligner: BarrierAligner<Channel>;
  /** Barriers triggered on this source task while it was blocked, injected once unblocked. */
  private deferredBarriers: CheckpointBarrier[] = [];

  constructor(
    readonly name: string,
    readonly subtaskIndex: number,
    /** The chain, head first. */
    readonly operators: readonly StreamOperator<unknown>[],
    readonly gates: readonly InputGate[],
    readonly writers: readonly RecordWriterOutput<unknown>[],
    private readonly host: TaskHost,
    kind: 'source' | 'one-input' | 'two-input',
  ) {
    const head = operators[0]!;
    if (kind === 'source') this.sourceHead = head as SourceOperator<unknown>;
    else if (kind === 'one-input') this.oneInputHead = head as OneInputStreamOperator<unknown, unknown>;
    else this.twoInputHead = head as TwoInputStreamOperator<unknown, unknown, unknown>;
    for (const w of writers) for (const c of w.channels) c.producer = this;
    for (const g of gates) for (const c of g.channels) c.consumer = this;
    this.totalChannels = gates.reduce((n, g) => n + g.channels.length, 0);
    this.aligner = new BarrierAligner(this.totalChannels);
  }

  get isSource(): boolean {
    return this.sourceHead !== undefined;
  }

  isRunnable(): boolean {
    if (this.state !== TaskState.RUNNING || this.pendingBlocks > 0 || this.fullChannels > 0) return false;
    if (this.sourceHead) return this.sourceAvailable;
    const aligning = this.aligner.aligning;
    for (const g of this.gates)
      for (const c of g.channels) if (c.length > 0 && !(aligning && this.aligner.isBlocked(c))) return true;
    return false;
  }

  /** Whether the task waits for a promise it was paused on (an async write or commit). */
  isBlocked(): boolean {
    return this.pendingBlocks > 0;
  }

  /** Pauses the task until `promise` settles; a rejection fails the task. */
  blockOn(promise: PromiseLike<unknown>): void {
    this.pendingBlocks++;
    promise.then(
      () => {
        if (--this.pendingBlocks === 0) {
          if (this.deferredBarriers.length > 0) this.injectDeferredBarriers();
          this.host.notifyWork();
        }
      },
      (err) => this.host.failTask(this, err),
    );
  }

  /** Processes up to `budget` input elements (or source polls). Returns how many it handled. */
  run(budget: number): number {
    return this.sourceHead ? this.runSource(budget) : this.runInputs(budget);
  }

  private runSource(budget: number): number {
    const head = this.sourceHead!;
    let n = 0;
    while (
      n < budget &&
      this.fullChannels === 0 &&
      this.pendingBlocks === 0 &&
      this.state === TaskState.RUNNING
    ) {
      n++;
      const status = head.emitNext();
      if (status === InputStatus.MORE_AVAILABLE) continue;
      if (status === InputStatus.END_OF_INPUT) {
        head.endOfInput();
        this.endOfInput();
      } else {
        this.sourceAvailable = false;
        head.isAvailable().then(
          () => {
            this.sourceAvailable = true;
            this.host.notifyWork();
          },
          (err) => this.host.failTask(this, err),
        );
      }
      break;
    }
    return n;
  }

  private runInputs(budget: number): number {
    const gates = this.gates;
    let n = 0;
    let emptyVisits = 0;
    while (n < budget && this.state === TaskState.RUNNING) {
      const gate = gates[this.gateCursor]!;
      const channel = gate.channels[this.channelCursor];
      if (
        channel === undefined ||
        channel.length === 0 ||
        (this.aligner.aligning && this.aligner.isBlocked(channel))
      ) {
        if (++emptyVisits > this.totalChannels) break;
        this.advanceCursor();
        continue;
      }
      emptyVisits = 0;
      const limit = Math.min(n + CHANNEL_CHUNK, budget);
      while (n < limit && channel.length > 0) {
        n++;
        if (!this.processElement(gate, channel)) return n;
        if (this.fullChannels > 0 || this.pendingBlocks > 0 || this.state !== TaskState.RUNNING) return n;
      }
      this.advanceCursor();
    }
    return n;
  }

  private advanceCursor(): void {
    if (++this.channelCursor < this.gates[this.gateCursor]!.channels.length) return;
    this.channelCursor = 0;
    if (++this.gateCursor === this.gates.length) this.gateCursor = 0;
  }

  /** Returns false when the task must leave its batch (end of input, or a checkpoint barrier). */
  private processElement(gate: InputGate, channel: Channel): boolean {
    const kind = channel.peekKind();
    const value = channel.peekValue();
    const timestamp = channel.peekTimestamp();
    channel.pop();
    switch (kind) {
      case ElementKind.RECORD:
        if (this.oneInputHead) this.oneInputHead.processElement(value, timestamp);
        else if (this.gateCursor === 0) this.twoInputHead!.processElement1(value, timestamp);
        else this.twoInputHead!.processElement2(value, timestamp);
        return true;
      case ElementKind.WATERMARK:
        gate.valve.inputWatermark(timestamp, this.channelCursor);
        return true;
      case ElementKind.WATERMARK_STATUS:
        gate.valve.inputWatermarkStatus(value as boolean, this.channelCursor);
        return true;
      case ElementKind.BARRIER: {
        const aligned = this.aligner.onBarrier(channel, value as CheckpointBarrier);
        if (aligned) this.performCheckpoint(aligned);
        // Leave the batch: the channel may now be blocked until the other barriers arrive.
        return false;
      }
      case ElementKind.END_OF_PARTITION: {
        gate.finishedChannels++;
        gate.valve.channelFinished(this.channelCursor);
        const aligned = this.aligner.onChannelFinished(channel);
        if (aligned) this.performCheckpoint(aligned);
        if (this.gates.every((g) => g.isFinished())) {
          this.endOfInput();
          return false;
        }
        return true;
      }
    }
  }

  /**
   * Starts a checkpoint at this source task: snapshot the chain and emit the barrier between two
   * records. A task paused on an async write waits until the write settled, so the snapshot never
   * misses a record the chain already took.
   */
  triggerCheckpoint(barrier: CheckpointBarrier): void {
    if (this.pendingBlocks > 0) this.deferredBarriers.push(barrier);
    else this.performCheckpoint(barrier);
  }

  /** Snapshots every operator of the chain, head first (for checkpoints and the final one). */
  snapshotOperators(checkpointId: number): OperatorSnapshot[] {
    return this.operators.map((op) => op.snapshotState(checkpointId));
  }

  private performCheckpoint(barrier: CheckpointBarrier): void {
    const snapshots = this.snapshotOperators(barrier.checkpointId);
    for (const w of this.writers) w.emitBarrier(barrier);
    this.host.acknowledgeCheckpoint?.(this, barrier.checkpointId, snapshots);
  }

  private injectDeferredBarriers(): void {
    const barriers = this.deferredBarriers;
    this.deferredBarriers = [];
    try {
      for (const b of barriers) if (this.state === TaskState.RUNNING) this.performCheckpoint(b);
    } catch (err) {
      this.host.failTask(this, err);
    }
  }

  /** All input is consumed: finish the chain head to tail, then end the outgoing partitions. */
  private endOfInput(): void {
    this.state = TaskState.FINISHING;
    this.finishOperators(0).then(
      () => {
        for (const w of this.writers) w.endOfPartition();
        this.state = TaskState.FINISHED;
        this.host.taskFinished?.(this);
        this.host.notifyWork();
      },
      (err) => this.host.failTask(this, err),
    );
  }

  private async finishOperators(from: number): Promise<void> {
    for (let i = from; i < this.operators.length; i++) {
      const pending = this.operators[i]!.finish();
      if (pending) await pending;
    }
  }

  onChannelData(): void {
    this.host.notifyWork();
  }

  onChannelFull(): void {
    this.fullChannels++;
  }

  onChannelWritable(): void {
    if (--this.fullChannels === 0) this.host.notifyWork();
  }
}
