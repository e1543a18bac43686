import type { OutputTag } from '../api/output-tag.js';
import { NO_TIMESTAMP } from '../api/timestamps.js';
import { JobProcessingTimeService } from '../runtime/job-processing-time-service.js';
import type { Output } from '../runtime/output.js';
import {
  type OneInputStreamOperator,
  type OperatorSnapshot,
  RuntimeExecutionMode,
  type StreamOperator,
  type TwoInputStreamOperator,
} from '../runtime/stream-operator.js';
import { DEFAULT_MAX_PARALLELISM, KeyGroupRange } from '../state/key-groups.js';
import { ManualClock } from '../time/processing-time-service.js';

/** What an operator under test emitted, in order. */
export type HarnessEvent<T> =
  | { readonly kind: 'record'; readonly value: T; readonly timestamp: number | null }
  | {
      readonly kind: 'side';
      readonly tag: string;
      readonly value: unknown;
      readonly timestamp: number | null;
    }
  | { readonly kind: 'watermark'; readonly watermark: number }
  | { readonly kind: 'status'; readonly idle: boolean };

/** Options of {@link OperatorTestHarness}. */
export interface HarnessOptions {
  /** Give the operator keyed state and timers (the operator sets its own current key). */
  keyed?: boolean;
  maxParallelism?: number;
  parallelism?: number;
  subtaskIndex?: number;
  executionMode?: RuntimeExecutionMode.STREAMING | RuntimeExecutionMode.BATCH;
  /** Initial processing time. */
  processingTime?: number;
}

/**
 * Runs one operator instance outside a job, the way Flink's operator test harnesses do: feed
 * records and watermarks, move processing time, read what it emitted, snapshot it and restore the
 * snapshot into a fresh instance.
 *
 * @example
 * ```ts
 * const h = new OperatorTestHarness(() => new KeyedProcessOperator(fn, (e) => e.user), { keyed: true });
 * await h.open();
 * h.processElement({ user: 'a' }, 10);
 * h.processWatermark(100);
 * const snapshot = h.snapshot();
 * const h2 = new OperatorTestHarness(factory, { keyed: true });
 * await h2.open([snapshot]);
 * ```
 */
export class OperatorTestHarness<OUT, IN1 = any, IN2 = any> {
  readonly events: HarnessEvent<OUT>[] = [];
  readonly clock: ManualClock;
  readonly operator: StreamOperator<OUT>;
  private readonly pts: JobProcessingTimeService;
  private checkpointId = 0;

  constructor(
    readonly factory: () => StreamOperator<OUT>,
    options: HarnessOptions = {},
  ) {
    this.clock = new ManualClock(options.processingTime ?? 0);
    this.pts = new JobProcessingTimeService(this.clock, () => {});
    this.operator = factory();
    const events = this.events;
    const output: Output<OUT> = {
      collect: (value, timestamp) =>
        events.push({ kind: 'record', value, timestamp: timestamp === NO_TIMESTAMP ? null : timestamp }),
      collectSide: <X>(tag: OutputTag<X>, value: X, timestamp: number) =>
        events.push({
          kind: 'side',
          tag: tag.id,
          value,
          timestamp: timestamp === NO_TIMESTAMP ? null : timestamp,
        }),
      emitWatermark: (watermark) => events.push({ kind: 'watermark', watermark }),
      emitWatermarkStatus: (idle) => events.push({ kind: 'status', idle }),
    };
    const maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    const parallelism = options.parallelism ?? 1;
    const subtaskIndex = options.subtaskIndex ?? 0;
    this.operator.setup({
      output,
      taskInfo: {
        taskName: 'harness',
        indexOfThisSubtask: subtaskIndex,
        numberOfParallelSubtasks: parallelism,
        maxNumberOfParallelSubtasks: maxParallelism,
        attemptNumber: 0,
      },
      jobName: 'harness',
      processingTimeService: this.pts,
      clock: this.clock,
      executionMode: options.executionMode ?? RuntimeExecutionMode.STREAMING,
      keyed: options.keyed
        ? {
            maxParallelism,
            keyGroupRange: KeyGroupRange.forOperatorIndex(maxParallelism, parallelism, subtaskIndex),
          }
        : undefined,
      blockOn: (p) => {
        this.pending.push(p);
      },
    });
  }

  private readonly pending: PromiseLike<unknown>[] = [];

  /** Restores from `restored` (snapshots of former instances) and opens the operator. */
  async open(restored?: readonly OperatorSnapshot[]): Promise<void> {
    this.operator.initializeState(restored);
    await this.operator.open();
  }

  processElement(value: IN1, timestamp: number = NO_TIMESTAMP): void {
    (this.operator as OneInputStreamOperator<IN1, OUT>).processElement(value, timestamp);
  }

  processElement1(value: IN1, timestamp: number = NO_TIMESTAMP): void {
    (this.operator as TwoInputStreamOperator<IN1, IN2, OUT>).processElement1(value, timestamp);
  }

  processElement2(value: IN2, timestamp: number = NO_TIMESTAMP): void {
    (this.operator as TwoInputStreamOperator<IN1, IN2, OUT>).processElement2(value, timestamp);
  }

  processWatermark(watermark: number): void {
    (this.operator as OneInputStreamOperator<IN1, OUT>).processWatermark(watermark);
  }

  processWatermark1(watermark: number): void {
    (this.operator as TwoInputStreamOperator<IN1, IN2, OUT>).processWatermark1(watermark);
  }

  processWatermark2(watermark: number): void {
    (this.operator as TwoInputStreamOperator<IN1, IN2, OUT>).processWatermark2(watermark);
  }

  /** Moves processing time forward and fires the processing-time timers now due. */
  setProcessingTime(time: number): void {
    this.clock.setTime(time);
    this.pts.fireDue();
  }

  snapshot(): OperatorSnapshot {
    return this.operator.snapshotState(++this.checkpointId);
  }

  /** Waits for the promises the operator blocked on (async sink writes). */
  async drainPending(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
  }

  async finish(): Promise<void> {
    await this.operator.finish();
  }

  async close(): Promise<void> {
    await this.operator.close();
  }

  /** The main-output records emitted so far. */
  extractOutputValues(): OUT[] {
    return this.events.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
  }

  /** The records emitted to a side output so far. */
  sideOutputValues<X>(tag: OutputTag<X>): X[] {
    return this.events.flatMap((e) => (e.kind === 'side' && e.tag === tag.id ? [e.value as X] : []));
  }

  watermarks(): number[] {
    return this.events.flatMap((e) => (e.kind === 'watermark' ? [e.watermark] : []));
  }
}
