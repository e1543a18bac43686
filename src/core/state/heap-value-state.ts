import { AbstractSingleValueHeapState } from './abstract-single-value-heap-state.js';
import type { KeyContext } from './key-context.js';
import type { InternalKvState } from './keyed-state-backend.js';
import type { ValueState } from './state.js';
import type { ValueStateDescriptor } from './state-descriptor.js';
import type { TtlPolicy } from './ttl-policy.js';

/**
 * {@link ValueState} on the heap. Without TTL a read is one `Map.get` on the cached namespace map,
 * a write one `Map.set`: nothing is allocated per access.
 *
 * @internal Created by `HeapKeyedStateBackend.getOrCreateKeyedState`.
 */
export class HeapValueState<T>
  extends AbstractSingleValueHeapState<T>
  implements InternalKvState<ValueState<T>>
{
  private readonly defaultValue: T | undefined;

  constructor(keys: KeyContext, descriptor: ValueStateDescriptor<T>, ttl: TtlPolicy | undefined) {
    super(keys, descriptor, ttl);
    this.defaultValue = descriptor.defaultValue;
  }

  value(): T | undefined {
    this.accessed();
    const value = this.read();
    return value === undefined ? this.defaultValue : value;
  }

  /** Stores `value`; `undefined` clears (Flink's `update(null)`). */
  update(value: T | undefined): void {
    this.accessed();
    this.store(value);
  }
}
