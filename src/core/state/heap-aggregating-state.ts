import { AbstractSingleValueHeapState } from './abstract-single-value-heap-state.js';
import type { InternalMergingState } from './internal-merging-state.js';
import type { KeyContext } from './key-context.js';
import type { InternalKvState, Namespace } from './keyed-state-backend.js';
import type { AggregateFunction, AggregatingState } from './state.js';
import type { AggregatingStateDescriptor } from './state-descriptor.js';
import type { TtlPolicy } from './ttl-policy.js';

/**
 * {@link AggregatingState} on the heap. The accumulator is what is stored (and snapshotted with the
 * descriptor's accumulator serializer); `get()` computes `getResult` on read, `undefined` if empty.
 *
 * @internal Created by `HeapKeyedStateBackend.getOrCreateKeyedState`.
 */
export class HeapAggregatingState<IN, ACC, OUT>
  extends AbstractSingleValueHeapState<ACC>
  implements InternalKvState<AggregatingState<IN, OUT>>, InternalMergingState
{
  private readonly fn: AggregateFunction<IN, ACC, OUT>;

  constructor(
    keys: KeyContext,
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
    ttl: TtlPolicy | undefined,
  ) {
    super(keys, descriptor, ttl);
    this.fn = descriptor.aggregateFunction;
  }

  get(): OUT | undefined {
    this.accessed();
    const acc = this.read();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }

  add(value: IN): void {
    this.accessed();
    const acc = this.readForUpdate();
    this.store(this.fn.add(value, acc === undefined ? this.fn.createAccumulator() : acc));
  }

  mergeNamespaces(target: Namespace, sources: readonly Namespace[]): void {
    this.mergeNamespacesWith(target, sources, (a, b) => this.fn.merge(a, b));
  }
}
