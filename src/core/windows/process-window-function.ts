import type { Collector } from '../api/collector.js';
import type { OutputTag } from '../api/output-tag.js';
import { AbstractRichFunction } from '../api/rich-function.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/state-descriptor.js';
import type { Window } from './window.js';

/** Keyed state scoped by the window function's context (per window, or global for the key). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}

/** What a {@link ProcessWindowFunction} sees besides the elements. */
export interface ProcessWindowContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of this key and this window; clear it in `clear()`, it is not cleaned for you. */
  windowState(): KeyedStateStore;
  /** State of this key across all its windows. */
  globalState(): KeyedStateStore;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Processes all elements of a window at once, with its key, window, time and state (Flink's
 * `ProcessWindowFunction`). Combined with `reduce`/`aggregate` it receives the single
 * pre-aggregated value instead.
 *
 * @example
 * ```ts
 * class CountPerWindow extends ProcessWindowFunction<Click, string, string, TimeWindow> {
 *   process(key: string, ctx: ProcessWindowContext<TimeWindow>, clicks: Iterable<Click>, out: Collector<string>) {
 *     out.collect(`${key} ${ctx.window().start}: ${[...clicks].length}`);
 *   }
 * }
 * ```
 */
export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  abstract process(
    key: KEY,
    context: ProcessWindowContext<W>,
    elements: Iterable<IN>,
    out: Collector<OUT>,
  ): void;

  /** Called when the window is purged for good: delete per-window state here. */
  clear(_context: ProcessWindowContext<W>): void {}
}

/** The older window function (Flink's `WindowFunction`): key, window, elements. */
export type WindowFunction<IN, OUT, KEY, W extends Window> =
  | ((key: KEY, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(key: KEY, window: W, elements: Iterable<IN>, out: Collector<OUT>): void };

/** A {@link ProcessWindowFunction} for `windowAll`: no key. */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  abstract process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  clear(_context: ProcessWindowContext<W>): void {}
}

/** The older all-window function (Flink's `AllWindowFunction`). */
export type AllWindowFunction<IN, OUT, W extends Window> =
  | ((window: W, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(window: W, elements: Iterable<IN>, out: Collector<OUT>): void };
