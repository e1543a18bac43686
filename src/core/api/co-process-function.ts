import type { Collector } from './collector.js';
import type { KeyedOnTimerContext, KeyedProcessContext } from './keyed-process-function.js';
import type { OnTimerContext, ProcessContext } from './process-function.js';
import { AbstractRichFunction } from './rich-function.js';

/** Processes the two inputs of connected streams (Flink's `CoProcessFunction`). */
export abstract class CoProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<OUT>): void;
}

/** Processes two keyed streams connected on the same key, with keyed state and timers. */
export abstract class KeyedCoProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedOnTimerContext<K>, out: Collector<OUT>): void;
}
