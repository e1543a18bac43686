import type { OutputTag } from '../../api/output-tag.js';
import type { RuntimeContext } from '../../api/runtime-context.js';
import { MIN_WATERMARK } from '../../api/timestamps.js';
import { DefaultOperatorStateBackend } from '../../state/default-operator-state-backend.js';
import { HeapKeyedStateBackend } from '../../state/heap-keyed-state-backend.js';
import type { KeyedStateBackend, KeyGroupedSnapshot } from '../../state/keyed-state-backend.js';
import type { OperatorStateBackend } from '../../state/operator-state-backend.js';
import { InternalTimerServiceImpl, type Triggerable } from '../../time/internal-timer-service.js';
import { StatusWatermarkValve } from '../../time/status-watermark-valve.js';
import type { Output } from '../output.js';
import type { OperatorSnapshot, StreamOperator, StreamOperatorParameters } from '../stream-operator.js';
import { StreamingRuntimeContext } from '../streaming-runtime-context.js';

/**
 * Base of the built-in operators: wires output, keyed and operator state, timer services and the
 * event-time clock, and implements snapshot and restore for all of them.
 */
export abstract class AbstractStreamOperator<OUT> implements StreamOperator<OUT> {
  protected output!: Output<OUT>;
  protected params!: StreamOperatorParameters<OUT>;
  protected keyedBackend: KeyedStateBackend<any> | undefined;
  protected operatorStateBackend!: OperatorStateBackend;
  protected runtimeContext!: RuntimeContext;
  /** The event-time clock of this operator: the last watermark it processed. */
  protected currentWatermark = MIN_WATERMARK;
  private readonly timerServices = new Map<string, InternalTimerServiceImpl<any>>();
  private restoredTimers: Map<string, KeyGroupedSnapshot[]> | undefined;

  setup(parameters: StreamOperatorParameters<OUT>): void {
    this.params = parameters;
    this.output = parameters.output;
    if (parameters.keyed) {
      this.keyedBackend = new HeapKeyedStateBackend<any>({
        maxParallelism: parameters.keyed.maxParallelism,
        keyGroupRange: parameters.keyed.keyGroupRange,
        clock: parameters.clock,
        ...(parameters.keyed.snapshotPlanner !== undefined
          ? { planner: parameters.keyed.snapshotPlanner }
          : {}),
      });
    }
    this.operatorStateBackend = new DefaultOperatorStateBackend();
    this.runtimeContext = new StreamingRuntimeContext(
      parameters.taskInfo,
      parameters.jobName,
      this.keyedBackend,
      this.operatorStateBackend,
    );
  }

  initializeState(restored: readonly OperatorSnapshot[] | undefined): void {
    if (!restored || restored.length === 0) return;
    const keyed = restored.flatMap((s) => (s.keyed ? [s.keyed] : []));
    if (keyed.length > 0) {
      if (!this.keyedBackend) throw new Error('cannot restore keyed state into a non-keyed operator');
      this.keyedBackend.restore(keyed);
    }
    const empty = { list: {}, union: {}, broadcast: {} };
    this.operatorStateBackend.restore(
      restored.map((s) => s.operatorState ?? empty),
      this.params.taskInfo.indexOfThisSubtask,
      this.params.taskInfo.numberOfParallelSubtasks,
    );
    this.restoredTimers = new Map();
    for (const s of restored) {
      for (const [name, snap] of Object.entries(s.timers ?? {})) {
        const list = this.restoredTimers.get(name) ?? [];
        list.push(snap);
        this.restoredTimers.set(name, list);
      }
    }
    // With several former instances the most conservative clock is the slowest one.
    this.currentWatermark = Math.min(...restored.map((s) => s.watermark));
  }

  open(): void | Promise<void> {}

  finish(): void | Promise<void> {}

  close(): void | Promise<void> {
    this.keyedBackend?.dispose();
  }

  snapshotState(checkpointId: number): OperatorSnapshot {
    let timers: Record<string, KeyGroupedSnapshot> | undefined;
    if (this.timerServices.size > 0) {
      timers = {};
      for (const [name, service] of this.timerServices) timers[name] = service.snapshot();
    }
    return {
      keyed: this.keyedBackend?.snapshot(checkpointId),
      timers,
      operatorState: this.operatorStateBackend.snapshot(),
      watermark: this.currentWatermark,
    };
  }

  /** The operator's event time (the restored one right after `initializeState`). @example `op.getCurrentWatermark()` */
  getCurrentWatermark(): number {
    return this.currentWatermark;
  }

  /** Advances event time: fires due event-time timers, then forwards the watermark. */
  processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    this.currentWatermark = watermark;
    for (const service of this.timerServices.values()) service.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }

  // Two-input operators: event time is the minimum of both inputs, idle inputs left out.
  private inputValve: StatusWatermarkValve | undefined;

  private twoInputValve(): StatusWatermarkValve {
    if (this.inputValve === undefined) {
      this.inputValve = new StatusWatermarkValve(2, {
        emitWatermark: (wm: number) => this.processWatermark(wm),
        emitWatermarkStatus: (idle: boolean) => this.processWatermarkStatus(idle),
      });
      // A restored operator's inputs start where its event time was, not at -∞.
      this.inputValve.initializeWatermark(this.currentWatermark);
    }
    return this.inputValve;
  }

  processWatermark1(watermark: number): void {
    this.twoInputValve().inputWatermark(watermark, 0);
  }

  processWatermark2(watermark: number): void {
    this.twoInputValve().inputWatermark(watermark, 1);
  }

  processWatermarkStatus1(idle: boolean): void {
    this.twoInputValve().inputWatermarkStatus(idle, 0);
  }

  processWatermarkStatus2(idle: boolean): void {
    this.twoInputValve().inputWatermarkStatus(idle, 1);
  }

  /**
   * The named timer service of this operator (created on first use, restored from the snapshot).
   * Only keyed operators have timers.
   */
  protected getInternalTimerService<K>(
    name: string,
    triggerable: Triggerable<K>,
  ): InternalTimerServiceImpl<K> {
    let service = this.timerServices.get(name);
    if (service) return service;
    const backend = this.keyedBackend;
    if (!backend || !this.params.keyed) throw new Error('timers are only available on keyed streams');
    service = new InternalTimerServiceImpl<K>({
      keyContext: backend,
      triggerable,
      processingTimeService: this.params.processingTimeService,
      maxParallelism: this.params.keyed.maxParallelism,
      keyGroupRange: this.params.keyed.keyGroupRange,
    });
    const restored = this.restoredTimers?.get(name);
    if (restored) service.restore(restored);
    service.initializeWatermark(this.currentWatermark);
    this.timerServices.set(name, service);
    return service;
  }

  getCurrentKey(): unknown {
    return this.keyedBackend?.getCurrentKey();
  }

  setCurrentKey(key: unknown): void {
    this.keyedBackend!.setCurrentKey(key);
  }

  getRuntimeContext(): RuntimeContext {
    return this.runtimeContext;
  }

  /** @internal for tests and metrics */
  getKeyedStateBackend(): KeyedStateBackend<any> | undefined {
    return this.keyedBackend;
  }

  protected emitSide<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    this.output.collectSide(tag, value, timestamp);
  }
}
