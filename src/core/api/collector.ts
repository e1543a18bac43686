/** Receives the records a user function emits. */
export interface Collector<T> {
  collect(value: T): void;
}
