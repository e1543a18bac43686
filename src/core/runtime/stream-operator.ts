import type { TaskInfo } from '../api/runtime-context.js';
import type { KeyGroupRange } from '../state/key-groups.js';
import type { KeyGroupedSnapshot } from '../state/keyed-state-backend.js';
import type { OperatorStateSnapshot } from '../state/operator-state-backend.js';
import type { SnapshotPlanner } from '../state/snapshot-plan.js';
import type { Clock, ProcessingTimeService } from '../time/processing-time-service.js';
import type { Output } from './output.js';

/** How a job runs: streaming, batch (bounded input, final results), or decided from the sources. */
export enum RuntimeExecutionMode {
  STREAMING = 'STREAMING',
  BATCH = 'BATCH',
  AUTOMATIC = 'AUTOMATIC',
}

/** Everything one operator instance keeps across a snapshot. Plain data plus bytes. */
export interface OperatorSnapshot {
  readonly keyed?: KeyGroupedSnapshot;
  readonly timers?: Readonly<Record<string, KeyGroupedSnapshot>>;
  readonly operatorState?: OperatorStateSnapshot;
  /** The operator's event-time clock when the snapshot was taken. */
  readonly watermark: number;
  /** Operator-specific extra state (e.g. a source reader's splits), already encoded. */
  readonly extra?: Uint8Array;
}

/** What the runtime gives an operator instance when it is set up. */
export interface StreamOperatorParameters<OUT> {
  readonly output: Output<OUT>;
  readonly taskInfo: TaskInfo;
  readonly jobName: string;
  readonly processingTimeService: ProcessingTimeService;
  readonly clock: Clock;
  /** STREAMING or BATCH, AUTOMATIC already resolved. */
  readonly executionMode: RuntimeExecutionMode.STREAMING | RuntimeExecutionMode.BATCH;
  /** Present for operators on keyed streams. */
  readonly keyed?: {
    readonly maxParallelism: number;
    readonly keyGroupRange: KeyGroupRange;
    /** Incremental checkpoints: how the keyed state of each checkpoint is snapshotted. */
    readonly snapshotPlanner?: SnapshotPlanner;
  };
  /**
   * Pauses the task until the promise settles (a sink write, an async flush): the way an operator
   * pushes back on its inputs. A rejection fails the task.
   */
  readonly blockOn: (promise: PromiseLike<unknown>) => void;
}

/**
 * The runtime's view of an operator instance. Lifecycle: `setup` -> `initializeState` -> `open`
 * -> records and watermarks -> `finish` (bounded input ended) -> `close`.
 */
export interface StreamOperator<OUT> {
  setup(parameters: StreamOperatorParameters<OUT>): void;
  /** `restored` holds the snapshots of the former instances that may own this instance's state. */
  initializeState(restored: readonly OperatorSnapshot[] | undefined): void;
  open(): void | Promise<void>;
  /** All input has ended: emit what is still buffered. */
  finish(): void | Promise<void>;
  close(): void | Promise<void>;
  snapshotState(checkpointId: number): OperatorSnapshot;
  /**
   * Optional (absent = no-op). Checkpoint `checkpointId` is durable: commit what was prepared when it was snapshotted
   * (two-phase-commit sinks). Also covers every earlier checkpoint whose notification was missed.
   */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** Optional (absent = no-op). Checkpoint `checkpointId` will never complete: what was prepared for it waits for the next one. */
  notifyCheckpointAborted?(checkpointId: number): void;
}

/** An operator with one input. */
export interface OneInputStreamOperator<IN, OUT> extends StreamOperator<OUT> {
  processElement(value: IN, timestamp: number): void;
  processWatermark(watermark: number): void;
  processWatermarkStatus(idle: boolean): void;
}

/** An operator with two inputs (connect, broadcast connect, joins). */
export interface TwoInputStreamOperator<IN1, IN2, OUT> extends StreamOperator<OUT> {
  processElement1(value: IN1, timestamp: number): void;
  processElement2(value: IN2, timestamp: number): void;
  processWatermark1(watermark: number): void;
  processWatermark2(watermark: number): void;
  processWatermarkStatus1(idle: boolean): void;
  processWatermarkStatus2(idle: boolean): void;
}
