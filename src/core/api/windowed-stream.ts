import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import type { AggregateFunction } from '../state/state.js';
import type { Evictor } from '../windows/evictor.js';
import {
  type InternalWindowFunction,
  passThroughWindowFunction,
  processWindowFunction,
  windowFunction,
} from '../windows/internal-window-function.js';
import { ProcessWindowFunction, type WindowFunction } from '../windows/process-window-function.js';
import type { Trigger } from '../windows/trigger.js';
import type { Window } from '../windows/window.js';
import type { WindowAssigner } from '../windows/window-assigner.js';
import { type WindowContents, WindowOperator } from '../windows/window-operator.js';
import { aggregationReducer, byReducer, type FieldExpression } from './aggregations.js';
import type { KeyedStream, SingleOutputStreamOperator } from './data-stream.js';
import { type ReduceFunctionLike, toCallable } from './functions.js';
import type { OutputTag } from './output-tag.js';

/** A window function in any of the forms the API accepts. */
export type AnyWindowFunction<IN, OUT, K, W extends Window> =
  | ProcessWindowFunction<IN, OUT, K, W>
  | WindowFunction<IN, OUT, K, W>;

/** @internal picks the adapter for a user window function (copied per parallel instance). */
export function internalWindowFunction<IN, OUT, K, W extends Window>(
  fn: AnyWindowFunction<IN, OUT, K, W>,
): InternalWindowFunction<IN, OUT, K, W> {
  const copy = copyFunction(fn);
  return copy instanceof ProcessWindowFunction ? processWindowFunction(copy) : windowFunction(copy);
}

/**
 * A keyed stream cut into windows (Flink's `WindowedStream`): set the trigger, evictor and
 * lateness, then apply a window function. Results carry the window's `maxTimestamp()` as their
 * timestamp.
 *
 * @example
 * ```ts
 * clicks.keyBy((c) => c.url)
 *   .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)))
 *   .allowedLateness(Duration.ofSeconds(2))
 *   .aggregate(countAgg, new EmitWithWindowEnd());
 * ```
 */
export class WindowedStream<T, K, W extends Window> {
  private windowTrigger: Trigger<T, W>;
  private windowEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;

  /** @internal use `keyedStream.window(assigner)` */
  constructor(
    readonly input: KeyedStream<T, K>,
    readonly assigner: WindowAssigner<T, W>,
    /** @internal parallelism forced by `windowAll` */
    private readonly forcedParallelism?: number,
  ) {
    this.windowTrigger = assigner.getDefaultTrigger();
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    if (this.assigner.isMerging() && !trigger.canMerge()) {
      throw new Error(
        `A merging window assigner cannot be used with a trigger that does not support merging (${trigger.constructor.name}).`,
      );
    }
    this.windowTrigger = trigger;
    return this;
  }

  /** Removes elements before and/or after the window function runs (the window then keeps every element). */
  evictor(evictor: Evictor<T, W>): this {
    this.windowEvictor = evictor;
    return this;
  }

  /**
   * Keeps event-time windows this long after their end: late elements within it fire the
   * window again with the updated result; later ones are dropped or go to `sideOutputLateData`.
   */
  allowedLateness(ms: number): this {
    if (!(ms >= 0)) throw new Error(`allowedLateness must be >= 0, got ${ms}`);
    if (ms > 0 && !this.assigner.isEventTime()) {
      throw new Error('allowedLateness applies to event-time windows only');
    }
    this.lateness = ms;
    return this;
  }

  /** Sends elements that arrive after their windows were cleaned up to this side output. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /** Incremental reduce; with a window function, that function receives the single reduced value. */
  reduce<R = T>(
    reducer: ReduceFunctionLike<T>,
    fn?: AnyWindowFunction<T, R, K, W> | InternalWindowFunctionFactory<T, R, K, W>,
  ): SingleOutputStreamOperator<R> {
    const reduce = toCallable<(a: T, b: T) => T>(reducer as any, 'reduce');
    return this.build<T, R>('Reduce', { kind: 'reduce', reducer: reduce }, fn);
  }

  /** Incremental aggregation; with a window function, that function receives the single result. */
  aggregate<ACC, V, R = V>(
    aggregate: AggregateFunction<T, ACC, V>,
    fn?: AnyWindowFunction<V, R, K, W> | InternalWindowFunctionFactory<V, R, K, W>,
  ): SingleOutputStreamOperator<R> {
    return this.build<V, R>('Aggregate', { kind: 'aggregate', aggregate }, fn);
  }

  /** All elements of the window at once, with key, window, time and state. */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    return this.build<T, R>('Process', { kind: 'list' }, fn);
  }

  /** All elements of the window at once (Flink's older `apply`). */
  apply<R>(fn: WindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    return this.build<T, R>('Apply', { kind: 'list' }, fn);
  }

  sum(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.reduce(aggregationReducer<T>('sum', field));
  }

  min(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.reduce(aggregationReducer<T>('min', field));
  }

  max(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.reduce(aggregationReducer<T>('max', field));
  }

  minBy(field?: FieldExpression | ((v: T) => number | string), first = true): SingleOutputStreamOperator<T> {
    return this.reduce(byReducer<T>('minBy', field, first));
  }

  maxBy(field?: FieldExpression | ((v: T) => number | string), first = true): SingleOutputStreamOperator<T> {
    return this.reduce(byReducer<T>('maxBy', field, first));
  }

  /** @internal */
  build<V, R>(
    what: string,
    contents: WindowContents<T, V>,
    fn: AnyWindowFunction<V, R, K, W> | InternalWindowFunctionFactory<V, R, K, W> | undefined,
  ): SingleOutputStreamOperator<R> {
    const { assigner, lateness, lateTag } = this;
    const trigger = this.windowTrigger;
    const evictor = this.windowEvictor;
    const keySelector = this.input.getKeySelector();
    const makeFunction = (): InternalWindowFunction<V, R, K, W> => {
      if (fn === undefined)
        return passThroughWindowFunction<V, K, W>() as unknown as InternalWindowFunction<V, R, K, W>;
      if (fn instanceof InternalWindowFunctionFactory) return fn.create();
      return internalWindowFunction(fn);
    };
    const name = `${evictor ? 'Evicting' : ''}Window(${assigner.constructor.name}, ${trigger.constructor.name}, ${what})`;
    const op = this.input.keyedTransform<R>(
      name,
      () =>
        new WindowOperator<T, V, R, K, W>({
          assigner,
          trigger,
          evictor,
          allowedLateness: lateness,
          lateDataTag: lateTag,
          keySelector,
          contents,
          windowFunction: makeFunction(),
        }),
    );
    if (this.forcedParallelism !== undefined) op.setParallelism(this.forcedParallelism).setMaxParallelism(1);
    return op;
  }
}

/** @internal builds the internal window function per parallel instance (used by `windowAll`). */
export class InternalWindowFunctionFactory<V, R, K, W extends Window> {
  constructor(readonly create: () => InternalWindowFunction<V, R, K, W>) {}
}
