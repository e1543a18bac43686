/**
 * Keyed state handles. A handle is bound to the operator's current key (and namespace): the same
 * object reads and writes different values as records of different keys pass through.
 */
export interface State {
  /** Removes the value for the current key (and namespace). */
  clear(): void;
}

/** One value per key. `value()` is `undefined` when nothing is stored (Flink's `null`). */
export interface ValueState<T> extends State {
  value(): T | undefined;
  update(value: T | undefined): void;
}

/** A list per key. `get()` returns an empty array (never `undefined`) when nothing is stored. */
export interface ListState<T> extends State {
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  update(values: Iterable<T>): void;
}

/** A map per key. Keys must be strings, numbers or booleans. */
export interface MapState<UK, UV> extends State {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<[UK, UV]> | Map<UK, UV>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  entries(): Iterable<[UK, UV]>;
  keys(): Iterable<UK>;
  values(): Iterable<UV>;
  isEmpty(): boolean;
}

/** Folds every added value into one with a {@link ReduceFunction}. */
export interface ReducingState<T> extends State {
  get(): T | undefined;
  add(value: T): void;
}

/** Folds every added value into an accumulator with an {@link AggregateFunction}. */
export interface AggregatingState<IN, OUT> extends State {
  get(): OUT | undefined;
  add(value: IN): void;
}

/** Combines two values of the same type; must be associative. */
export type ReduceFunction<T> = (a: T, b: T) => T;

/**
 * Incremental aggregation with an accumulator (Flink's `AggregateFunction`).
 *
 * @example
 * ```ts
 * const avg: AggregateFunction<number, [number, number], number> = {
 *   createAccumulator: () => [0, 0],
 *   add: (v, [s, n]) => [s + v, n + 1],
 *   getResult: ([s, n]) => s / n,
 *   merge: ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2],
 * };
 * ```
 */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}
