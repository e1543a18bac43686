import type { KeySelector } from '../api/functions.js';
import type { OutputTag } from '../api/output-tag.js';
import { AbstractStreamOperator } from '../runtime/operators/abstract-stream-operator.js';
import { TimestampedCollector } from '../runtime/operators/timestamped-collector.js';
import type { OneInputStreamOperator } from '../runtime/stream-operator.js';
import { isMergingState } from '../state/internal-merging-state.js';
import { type InternalKvState, type Namespace, VOID_NAMESPACE } from '../state/keyed-state-backend.js';
import type { AggregateFunction, State, ValueState } from '../state/state.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  type StateDescriptor,
  ValueStateDescriptor,
} from '../state/state-descriptor.js';
import type { InternalTimer, InternalTimerServiceImpl, Triggerable } from '../time/internal-timer-service.js';
import type { Evictor, TimestampedValue } from './evictor.js';
import type { InternalWindowFunction } from './internal-window-function.js';
import { MergingWindowSet } from './merging-window-set.js';
import type { KeyedStateStore, ProcessWindowContext } from './process-window-function.js';
import { isFire, isPurge, type OnMergeContext, type Trigger, type TriggerResult } from './trigger.js';
import type { Window } from './window.js';
import type { WindowAssigner, WindowAssignerContext } from './window-assigner.js';

/** How a window keeps its elements: all of them, or one incrementally aggregated value. */
export type WindowContents<IN, V> =
  | { readonly kind: 'list' }
  | { readonly kind: 'reduce'; readonly reducer: (a: IN, b: IN) => IN }
  | { readonly kind: 'aggregate'; readonly aggregate: AggregateFunction<IN, any, V> };

/** Everything a window operator is built from (the WindowedStream API fills it in). */
export interface WindowOperatorConfig<IN, V, OUT, K, W extends Window> {
  readonly assigner: WindowAssigner<IN, W>;
  readonly trigger: Trigger<IN, W>;
  readonly evictor: Evictor<IN, W> | undefined;
  readonly allowedLateness: number;
  readonly lateDataTag: OutputTag<IN> | undefined;
  readonly keySelector: KeySelector<IN, K>;
  readonly contents: WindowContents<IN, V>;
  readonly windowFunction: InternalWindowFunction<V, OUT, K, W>;
}

const CONTENTS = 'window.contents';
const MERGING_SET = 'window.merging-set';

/**
 * Flink's `WindowOperator` (and `EvictingWindowOperator` when an evictor is set): assigns each
 * element to windows, keeps their contents in keyed state under the window's namespace, asks the
 * trigger when to fire and purge, fires window functions with the window's end as timestamp,
 * merges session windows, and drops (or side-outputs) data later than the allowed lateness.
 * Window state is removed by a cleanup timer at `window.maxTimestamp() + allowedLateness`.
 */
export class WindowOperator<IN, V, OUT, K, W extends Window>
  extends AbstractStreamOperator<OUT>
  implements OneInputStreamOperator<IN, OUT>, Triggerable<K>, WindowAssignerContext, OnMergeContext
{
  private timers!: InternalTimerServiceImpl<K>;
  private contents!: InternalKvState<State>;
  private mergingSetState: InternalKvState<ValueState<Array<[Namespace, Namespace]>>> | undefined;
  private collector!: TimestampedCollector<OUT>;
  private readonly isEventTime: boolean;
  /** The window the trigger context and process context currently point at. */
  private window!: W;
  private mergedWindows: W[] = [];
  private processContext!: WindowProcessContext<W>;
  /** Created once: merges happen per element of a session. */
  private readonly mergeFunction = (result: W, merged: W[], stateResult: W, mergedStates: W[]): void =>
    this.mergeWindows(result, merged, stateResult, mergedStates);

  constructor(private readonly config: WindowOperatorConfig<IN, V, OUT, K, W>) {
    super();
    this.isEventTime = config.assigner.isEventTime();
    if (config.assigner.isMerging() && !config.trigger.canMerge()) {
      throw new Error(
        `A merging window assigner cannot be used with a trigger that does not support merging (${config.trigger.constructor.name}).`,
      );
    }
    if (config.allowedLateness < 0)
      throw new Error(`allowedLateness must be >= 0, got ${config.allowedLateness}`);
  }

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    this.timers = this.getInternalTimerService<K>('window-timers', this);
    this.contents = this.keyedBackend!.getOrCreateKeyedState(this.contentsDescriptor());
    if (this.config.assigner.isMerging()) {
      this.mergingSetState = this.keyedBackend!.getOrCreateKeyedState(
        new ValueStateDescriptor<Array<[Namespace, Namespace]>>(MERGING_SET),
      );
    }
    this.processContext = new WindowProcessContext<W>(this);
    const rich = this.config.windowFunction.rich as {
      setRuntimeContext?(c: unknown): void;
      open?(c: unknown): unknown;
    };
    rich?.setRuntimeContext?.(this.runtimeContext);
    return rich?.open?.({ taskInfo: this.runtimeContext.getTaskInfo() }) as void | Promise<void>;
  }

  override async close(): Promise<void> {
    try {
      const rich = this.config.windowFunction.rich as { close?(): unknown } | undefined;
      await rich?.close?.();
    } finally {
      await super.close();
    }
  }

  private contentsDescriptor(): StateDescriptor<State, any> {
    const c = this.config.contents;
    if (this.config.evictor || c.kind === 'list') return new ListStateDescriptor<unknown>(CONTENTS);
    if (c.kind === 'reduce') return new ReducingStateDescriptor<IN>(CONTENTS, c.reducer);
    return new AggregatingStateDescriptor<IN, unknown, V>(CONTENTS, c.aggregate);
  }

  processElement(value: IN, timestamp: number): void {
    const backend = this.keyedBackend!;
    backend.setCurrentKey(this.config.keySelector(value));
    const windows = this.config.assigner.assignWindows(value, timestamp, this);
    let skipped = true;
    if (this.config.assigner.isMerging()) {
      const set = this.mergingWindowSet();
      for (const w of windows) {
        const actual = set.addWindow(w, this.mergeFunction);
        if (this.isWindowLate(actual)) {
          set.retireWindow(actual);
          continue;
        }
        skipped = false;
        const stateWindow = set.getStateWindow(actual)!;
        this.addToWindow(stateWindow, value, timestamp);
        this.onTriggerResult(actual, stateWindow, this.triggerOnElement(actual, value, timestamp));
        this.registerCleanupTimer(actual);
      }
      this.persist(set);
    } else {
      for (const w of windows) {
        if (this.isWindowLate(w)) continue;
        skipped = false;
        this.addToWindow(w, value, timestamp);
        this.onTriggerResult(w, w, this.triggerOnElement(w, value, timestamp));
        this.registerCleanupTimer(w);
      }
    }
    if (skipped && this.isElementLate(timestamp)) {
      if (this.config.lateDataTag) this.output.collectSide(this.config.lateDataTag, value, timestamp);
    }
    backend.onRecordProcessed();
  }

  private addToWindow(stateWindow: W, value: IN, timestamp: number): void {
    this.contents.setCurrentNamespace(stateWindow.namespace());
    const element = this.config.evictor ? ({ value, timestamp } satisfies TimestampedValue<IN>) : value;
    (this.contents as unknown as { add(v: unknown): void }).add(element);
  }

  private triggerOnElement(window: W, value: IN, timestamp: number): TriggerResult {
    this.window = window;
    return this.config.trigger.onElement(value, timestamp, window, this);
  }

  /** Fires and/or purges `window`, whose contents live under `stateWindow`. */
  private onTriggerResult(window: W, stateWindow: W, result: TriggerResult): void {
    if (isFire(result)) this.fire(window, stateWindow);
    if (isPurge(result)) {
      this.contents.setCurrentNamespace(stateWindow.namespace());
      this.contents.clear();
    }
  }

  private fire(window: W, stateWindow: W): void {
    this.contents.setCurrentNamespace(stateWindow.namespace());
    if (this.config.evictor) {
      this.fireEvicting(window);
      return;
    }
    const c = this.config.contents;
    let input: Iterable<V>;
    if (c.kind === 'list') {
      const list = [...(this.contents as unknown as { get(): Iterable<V> }).get()];
      if (list.length === 0) return;
      input = list;
    } else {
      const v = (this.contents as unknown as { get(): V | undefined }).get();
      if (v === undefined) return;
      input = [v];
    }
    this.emit(window, input);
  }

  /** With an evictor the window keeps every element; the function sees what survives eviction. */
  private fireEvicting(window: W): void {
    const state = this.contents as unknown as {
      get(): Iterable<TimestampedValue<IN>>;
      update(v: TimestampedValue<IN>[]): void;
    };
    const elements = [...state.get()];
    if (elements.length === 0) return;
    const evictor = this.config.evictor!;
    evictor.evictBefore(elements, elements.length, window, this.processContext);
    const c = this.config.contents;
    let input: Iterable<V> | undefined;
    if (c.kind === 'list') {
      input = elements.map((e) => e.value) as unknown as V[];
    } else if (elements.length > 0) {
      if (c.kind === 'reduce') {
        let acc = elements[0]!.value;
        for (let i = 1; i < elements.length; i++) acc = c.reducer(acc, elements[i]!.value);
        input = [acc as unknown as V];
      } else {
        let acc = c.aggregate.createAccumulator();
        for (const e of elements) acc = c.aggregate.add(e.value, acc);
        input = [c.aggregate.getResult(acc)];
      }
    }
    if (input) this.emit(window, input);
    evictor.evictAfter(elements, elements.length, window, this.processContext);
    state.update(elements);
  }

  private emit(window: W, input: Iterable<V>): void {
    this.collector.timestamp = window.maxTimestamp();
    this.processContext.currentWindow = window;
    const key = this.keyedBackend!.getCurrentKey() as K;
    this.config.windowFunction.process(key, window, this.processContext, input, this.collector);
  }

  onEventTime(timer: InternalTimer<K>): void {
    this.onTimer(timer, true);
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    this.onTimer(timer, false);
  }

  private onTimer(timer: InternalTimer<K>, eventTime: boolean): void {
    const window = this.config.assigner.windowFromNamespace(timer.namespace);
    let stateWindow = window;
    let set: MergingWindowSet<W> | undefined;
    if (this.config.assigner.isMerging()) {
      set = this.mergingWindowSet();
      const sw = set.getStateWindow(window);
      // A timer of a window that was merged away since: nothing to do.
      if (sw === undefined) return;
      stateWindow = sw;
    }
    this.window = window;
    const trigger = this.config.trigger;
    const result = eventTime
      ? trigger.onEventTime(timer.timestamp, window, this)
      : trigger.onProcessingTime(timer.timestamp, window, this);
    this.onTriggerResult(window, stateWindow, result);
    if (eventTime === this.isEventTime && this.cleanupTime(window) === timer.timestamp) {
      this.clearAllState(window, stateWindow, set);
    }
    if (set) this.persist(set);
  }

  private clearAllState(window: W, stateWindow: W, set: MergingWindowSet<W> | undefined): void {
    this.contents.setCurrentNamespace(stateWindow.namespace());
    this.contents.clear();
    this.window = window;
    this.config.trigger.clear(window, this);
    this.processContext.currentWindow = window;
    this.config.windowFunction.clear(window, this.processContext);
    set?.retireWindow(window);
  }

  private mergeWindows(result: W, merged: W[], stateResult: W, mergedStates: W[]): void {
    if (this.isEventTime && result.maxTimestamp() + this.config.allowedLateness <= this.currentWatermark) {
      throw new Error(
        `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.currentWatermark} window: ${String(result)}`,
      );
    }
    if (!this.isEventTime && result.maxTimestamp() <= this.getCurrentProcessingTime()) {
      throw new Error(
        `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${this.getCurrentProcessingTime()} window: ${String(result)}`,
      );
    }
    this.window = result;
    this.mergedWindows = merged;
    this.config.trigger.onMerge(result, this);
    this.mergedWindows = [];
    for (const m of merged) {
      this.window = m;
      this.config.trigger.clear(m, this);
      this.deleteCleanupTimer(m);
    }
    if (mergedStates.length > 0) {
      if (!isMergingState(this.contents)) throw new Error('window contents state cannot merge namespaces');
      this.contents.mergeNamespaces(
        stateResult.namespace(),
        mergedStates.map((w) => w.namespace()),
      );
    }
  }

  private mergingWindowSet(): MergingWindowSet<W> {
    const assigner = this.config.assigner as unknown as import('./window-assigner.js').MergingWindowAssigner<
      unknown,
      W
    >;
    this.mergingSetState!.setCurrentNamespace(VOID_NAMESPACE);
    return new MergingWindowSet<W>(assigner, this.mergingSetState!.value());
  }

  private persist(set: MergingWindowSet<W>): void {
    const changed = set.changedState();
    if (changed === undefined) return;
    if (set.isEmpty()) this.mergingSetState!.clear();
    else this.mergingSetState!.update(changed);
  }

  private cleanupTime(window: W): number {
    if (!this.isEventTime) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.config.allowedLateness;
    // Overflow guard as in Flink: a window at the end of time is never cleaned by a timer.
    return t >= window.maxTimestamp() ? t : Number.MAX_SAFE_INTEGER;
  }

  private isWindowLate(window: W): boolean {
    return this.isEventTime && this.cleanupTime(window) <= this.currentWatermark;
  }

  private isElementLate(timestamp: number): boolean {
    return this.isEventTime && timestamp + this.config.allowedLateness <= this.currentWatermark;
  }

  private registerCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === Number.MAX_SAFE_INTEGER) return;
    if (this.isEventTime) this.timers.registerEventTimeTimer(window.namespace(), t);
    else this.timers.registerProcessingTimeTimer(window.namespace(), t);
  }

  private deleteCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === Number.MAX_SAFE_INTEGER) return;
    if (this.isEventTime) this.timers.deleteEventTimeTimer(window.namespace(), t);
    else this.timers.deleteProcessingTimeTimer(window.namespace(), t);
  }

  // WindowAssignerContext, TriggerContext and OnMergeContext, for the current key and window.

  getCurrentProcessingTime(): number {
    return this.params.processingTimeService.getCurrentProcessingTime();
  }

  override getCurrentWatermark(): number {
    return this.currentWatermark;
  }

  registerProcessingTimeTimer(time: number): void {
    this.timers.registerProcessingTimeTimer(this.window.namespace(), time);
  }

  registerEventTimeTimer(time: number): void {
    this.timers.registerEventTimeTimer(this.window.namespace(), time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.timers.deleteProcessingTimeTimer(this.window.namespace(), time);
  }

  deleteEventTimeTimer(time: number): void {
    this.timers.deleteEventTimeTimer(this.window.namespace(), time);
  }

  getPartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): S {
    return this.stateIn(descriptor, this.window.namespace());
  }

  mergePartitionedState<S extends State>(descriptor: StateDescriptor<S, any>): void {
    if (this.mergedWindows.length === 0) return;
    const state = this.keyedBackend!.getOrCreateKeyedState(descriptor);
    if (!isMergingState(state))
      throw new Error(
        `state '${descriptor.name}' cannot be merged (use list, reducing or aggregating state)`,
      );
    state.mergeNamespaces(
      this.window.namespace(),
      this.mergedWindows.map((w) => w.namespace()),
    );
  }

  /** @internal a keyed state handle pointed at a namespace. */
  stateIn<S extends State>(descriptor: StateDescriptor<S, any>, namespace: Namespace): S {
    const state = this.keyedBackend!.getOrCreateKeyedState(descriptor);
    state.setCurrentNamespace(namespace);
    return state;
  }

  /** @internal side output from window functions. */
  sideOutput<X>(tag: OutputTag<X>, value: X): void {
    this.output.collectSide(tag, value, this.collector.timestamp);
  }
}

/** The context of window functions, reused for every firing. */
class WindowProcessContext<W extends Window> implements ProcessWindowContext<W> {
  currentWindow!: W;
  private readonly perWindow: KeyedStateStore;
  private readonly global: KeyedStateStore;

  constructor(private readonly op: WindowOperator<any, any, any, any, W>) {
    const store = (ns: () => Namespace): KeyedStateStore => {
      const get = (d: StateDescriptor<any, any>) => op.stateIn(d, ns());
      return {
        getState: get,
        getListState: get,
        getMapState: get,
        getReducingState: get,
        getAggregatingState: get,
      };
    };
    this.perWindow = store(() => this.currentWindow.namespace());
    this.global = store(() => VOID_NAMESPACE);
  }

  window(): W {
    return this.currentWindow;
  }

  currentProcessingTime(): number {
    return this.op.getCurrentProcessingTime();
  }

  currentWatermark(): number {
    return this.op.getCurrentWatermark();
  }

  getCurrentProcessingTime(): number {
    return this.op.getCurrentProcessingTime();
  }

  getCurrentWatermark(): number {
    return this.op.getCurrentWatermark();
  }

  windowState(): KeyedStateStore {
    return this.perWindow;
  }

  globalState(): KeyedStateStore {
    return this.global;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.op.sideOutput(tag, value);
  }
}
