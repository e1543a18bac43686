import type { ListState } from './state.js';

/**
 * Non-keyed {@link ListState} of one operator instance (Flink's `PartitionableListState`): a plain
 * array, serialized only when a snapshot is taken. `get()` returns a copy.
 *
 * @internal Created by `DefaultOperatorStateBackend`.
 */
export class OperatorListState<T> implements ListState<T> {
  private elements: T[] = [];

  constructor(readonly mode: 'list' | 'union') {}

  get(): T[] {
    return this.elements.slice();
  }

  add(value: T): void {
    checkElement(value);
    this.elements.push(value);
  }

  addAll(values: Iterable<T>): void {
    for (const value of values) this.add(value);
  }

  update(values: Iterable<T>): void {
    const next = Array.from(values);
    for (const value of next) checkElement(value);
    this.elements = next;
  }

  clear(): void {
    this.elements = [];
  }

  /** The elements without copying, for snapshots. */
  view(): readonly T[] {
    return this.elements;
  }
}

function checkElement(value: unknown): void {
  if (value === undefined || value === null)
    throw new TypeError('list state elements must not be null or undefined');
}
