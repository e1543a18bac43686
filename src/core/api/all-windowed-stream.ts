import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import type { AggregateFunction } from '../state/state.js';
import type { Evictor } from '../windows/evictor.js';
import { allWindowFunction, processAllWindowFunction } from '../windows/internal-window-function.js';
import { type AllWindowFunction, ProcessAllWindowFunction } from '../windows/process-window-function.js';
import type { Trigger } from '../windows/trigger.js';
import type { Window } from '../windows/window.js';
import type { WindowAssigner } from '../windows/window-assigner.js';
import type { FieldExpression } from './aggregations.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';
import type { ReduceFunctionLike } from './functions.js';
import type { OutputTag } from './output-tag.js';
import { InternalWindowFunctionFactory, WindowedStream } from './windowed-stream.js';

type AnyAllWindowFunction<IN, OUT, W extends Window> =
  | ProcessAllWindowFunction<IN, OUT, W>
  | AllWindowFunction<IN, OUT, W>;

function factory<IN, OUT, W extends Window>(
  fn: AnyAllWindowFunction<IN, OUT, W> | undefined,
): InternalWindowFunctionFactory<IN, OUT, unknown, W> | undefined {
  if (fn === undefined) return undefined;
  return new InternalWindowFunctionFactory(() => {
    const copy = copyFunction(fn);
    return copy instanceof ProcessAllWindowFunction
      ? processAllWindowFunction(copy)
      : allWindowFunction(copy);
  });
}

/**
 * Windows over a whole non-keyed stream (Flink's `AllWindowedStream`): every element meets in one
 * window operator, which therefore runs with parallelism 1.
 *
 * @example
 * ```ts
 * events.windowAll(TumblingEventTimeWindows.of(Duration.ofMinutes(1))).aggregate(countAll);
 * ```
 */
export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  /** @internal use `stream.windowAll(assigner)` */
  constructor(input: DataStream<T>, assigner: WindowAssigner<T, W>) {
    this.windowed = new WindowedStream<T, number, W>(
      input.keyBy(() => 0),
      assigner,
      1,
    );
  }

  trigger(trigger: Trigger<T, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }

  evictor(evictor: Evictor<T, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }

  allowedLateness(ms: number): this {
    this.windowed.allowedLateness(ms);
    return this;
  }

  sideOutputLateData(tag: OutputTag<T>): this {
    this.windowed.sideOutputLateData(tag);
    return this;
  }

  reduce<R = T>(
    reducer: ReduceFunctionLike<T>,
    fn?: AnyAllWindowFunction<T, R, W>,
  ): SingleOutputStreamOperator<R> {
    return this.windowed.reduce<R>(reducer, factory(fn));
  }

  aggregate<ACC, V, R = V>(
    aggregate: AggregateFunction<T, ACC, V>,
    fn?: AnyAllWindowFunction<V, R, W>,
  ): SingleOutputStreamOperator<R> {
    return this.windowed.aggregate<ACC, V, R>(aggregate, factory(fn));
  }

  process<R>(fn: ProcessAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return this.windowed.build<T, R>('Process', { kind: 'list' }, factory(fn));
  }

  apply<R>(fn: AllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return this.windowed.build<T, R>('Apply', { kind: 'list' }, factory(fn));
  }

  sum(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.windowed.sum(field);
  }

  min(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.windowed.min(field);
  }

  max(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.windowed.max(field);
  }

  minBy(field?: FieldExpression | ((v: T) => number | string), first = true): SingleOutputStreamOperator<T> {
    return this.windowed.minBy(field, first);
  }

  maxBy(field?: FieldExpression | ((v: T) => number | string), first = true): SingleOutputStreamOperator<T> {
    return this.windowed.maxBy(field, first);
  }
}
