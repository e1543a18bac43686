import { AbstractSingleValueHeapState } from './abstract-single-value-heap-state.js';
import type { InternalMergingState } from './internal-merging-state.js';
import type { KeyContext } from './key-context.js';
import type { InternalKvState, Namespace } from './keyed-state-backend.js';
import type { ReduceFunction, ReducingState } from './state.js';
import type { ReducingStateDescriptor } from './state-descriptor.js';
import type { TtlPolicy } from './ttl-policy.js';

/**
 * {@link ReducingState} on the heap: `add` folds the new value into the stored one with
 * `reduce(stored, value)`, as Flink does.
 *
 * @internal Created by `HeapKeyedStateBackend.getOrCreateKeyedState`.
 */
export class HeapReducingState<T>
  extends AbstractSingleValueHeapState<T>
  implements InternalKvState<ReducingState<T>>, InternalMergingState
{
  private readonly reduce: ReduceFunction<T>;

  constructor(keys: KeyContext, descriptor: ReducingStateDescriptor<T>, ttl: TtlPolicy | undefined) {
    super(keys, descriptor, ttl);
    this.reduce = descriptor.reduceFunction;
  }

  get(): T | undefined {
    this.accessed();
    return this.read();
  }

  add(value: T): void {
    this.accessed();
    const current = this.readForUpdate();
    this.store(current === undefined ? value : this.reduce(current, value));
  }

  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void {
    this.mergeNamespacesWith(target, sources, this.reduce);
  }
}
