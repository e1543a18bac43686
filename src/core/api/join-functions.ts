import type { Collector } from './collector.js';

/** Joins one pair of elements with equal keys in the same window (Flink's `JoinFunction`). */
export type JoinFunction<IN1, IN2, OUT> =
  | ((first: IN1, second: IN2) => OUT)
  | { join(first: IN1, second: IN2): OUT };

/** Joins one pair and emits any number of results (Flink's `FlatJoinFunction`). */
export type FlatJoinFunction<IN1, IN2, OUT> =
  | ((first: IN1, second: IN2, out: Collector<OUT>) => void)
  | { join(first: IN1, second: IN2, out: Collector<OUT>): void };

/**
 * Receives, per key and window, all elements of each side, even when one side is empty (Flink's
 * `CoGroupFunction`): the building block of inner and outer joins.
 */
export type CoGroupFunction<IN1, IN2, OUT> =
  | ((first: IN1[], second: IN2[], out: Collector<OUT>) => void)
  | { coGroup(first: IN1[], second: IN2[], out: Collector<OUT>): void };
