import type { Collector } from './collector.js';

/**
 * Function interfaces of the DataStream API. Each accepts a plain lambda or an object with the
 * Flink-named method; objects may also be rich functions (see {@link AbstractRichFunction}).
 * Objects are copied per parallel instance (shallow, prototype kept), so instance fields set in
 * `open()` are per instance, as in Flink.
 */

/** `value => result` (Flink's `MapFunction`). */
export type MapFunction<T, R> = ((value: T) => R) | { map(value: T): R };

/** Emits zero or more results per value (Flink's `FlatMapFunction`). */
export type FlatMapFunction<T, R> =
  | ((value: T, out: Collector<R>) => void)
  | { flatMap(value: T, out: Collector<R>): void };

/** Keeps the values for which it returns true (Flink's `FilterFunction`). */
export type FilterFunction<T> = ((value: T) => boolean) | { filter(value: T): boolean };

/** Extracts the key of a value. Keys are compared by value: primitives, or plain arrays/objects. */
export type KeySelector<T, K> = (value: T) => K;

/** Combines two values into one of the same type (Flink's `ReduceFunction`). */
export type ReduceFunctionLike<T> = ((a: T, b: T) => T) | { reduce(a: T, b: T): T };

/** Maps each input of a connected stream (Flink's `CoMapFunction`). */
export interface CoMapFunction<IN1, IN2, OUT> {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** Flat-maps each input of a connected stream (Flink's `CoFlatMapFunction`). */
export interface CoFlatMapFunction<IN1, IN2, OUT> {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** Chooses the partition of a key (Flink's `Partitioner`, used by `partitionCustom`). */
export type Partitioner<K> = (key: K, numPartitions: number) => number;

/** @internal turns a lambda-or-object into a plain callable bound to the object. */
export function toCallable<F extends (...args: any[]) => any>(
  fn: F | Record<string, any>,
  method: string,
): F {
  if (typeof fn === 'function') return fn as F;
  const m = (fn as Record<string, any>)[method];
  if (typeof m !== 'function') throw new TypeError(`function object has no method '${method}'`);
  return m.bind(fn) as F;
}
