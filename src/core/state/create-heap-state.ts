import type { AbstractHeapState } from './abstract-heap-state.js';
import { HeapAggregatingState } from './heap-aggregating-state.js';
import { HeapListState } from './heap-list-state.js';
import { HeapMapState } from './heap-map-state.js';
import { HeapReducingState } from './heap-reducing-state.js';
import { HeapValueState } from './heap-value-state.js';
import type { KeyContext } from './key-context.js';
import type {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from './state-descriptor.js';
import { type TtlClock, TtlPolicy } from './ttl-policy.js';

/**
 * The heap handle for a descriptor's kind, with a TTL policy when the descriptor enables TTL.
 *
 * @internal
 */
export function createHeapState(
  keys: KeyContext,
  descriptor: StateDescriptor<any, any>,
  clock: TtlClock,
): AbstractHeapState<any> {
  const ttl = descriptor.ttlConfig === undefined ? undefined : new TtlPolicy(descriptor.ttlConfig, clock);
  switch (descriptor.kind) {
    case 'value':
      return new HeapValueState(keys, descriptor as ValueStateDescriptor<unknown>, ttl);
    case 'list':
      return new HeapListState(keys, descriptor, ttl);
    case 'map':
      return new HeapMapState(keys, descriptor, ttl);
    case 'reducing':
      return new HeapReducingState(keys, descriptor as ReducingStateDescriptor<unknown>, ttl);
    case 'aggregating':
      return new HeapAggregatingState(
        keys,
        descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>,
        ttl,
      );
    default:
      throw new Error(`unknown state kind '${(descriptor as StateDescriptor<unknown>).kind}'`);
  }
}
