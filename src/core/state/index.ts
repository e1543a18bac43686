/**
 * The state layer: keyed and operator state handles, their descriptors, TTL, serializers, key
 * groups, and the heap backends that hold them.
 *
 * @example
 * ```ts
 * import { HeapKeyedStateBackend, KeyGroupRange, ValueStateDescriptor } from './core/state/index.js';
 * ```
 */

export type { BroadcastState, ReadOnlyBroadcastState } from './broadcast-state.js';
export { DefaultOperatorStateBackend } from './default-operator-state-backend.js';
export { HeapKeyedStateBackend, type HeapKeyedStateBackendOptions } from './heap-keyed-state-backend.js';
export { type InternalMergingState, isMergingState } from './internal-merging-state.js';
export {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeOperatorIndexForKeyGroup,
  DEFAULT_MAX_PARALLELISM,
  hashKey,
  KeyGroupRange,
  murmurHashBytes,
  murmurHashInt,
  murmurHashString,
  type NormalizedKey,
  normalizeKey,
} from './key-groups.js';
export {
  type InternalKvState,
  type KeyedStateBackend,
  type KeyGroupedSnapshot,
  type Namespace,
  VOID_NAMESPACE,
} from './keyed-state-backend.js';
export type {
  OperatorStateBackend,
  OperatorStateSnapshot,
  OperatorStateStore,
} from './operator-state-backend.js';
export type { SnapshotPlan, SnapshotPlanner } from './snapshot-plan.js';
export type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReduceFunction,
  ReducingState,
  State,
  ValueState,
} from './state.js';
export {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  type StateKind,
  ValueStateDescriptor,
} from './state-descriptor.js';
export {
  StateTtlConfig,
  StateTtlConfigBuilder,
  TtlStateVisibility,
  TtlUpdateType,
} from './state-ttl-config.js';
export type { TtlClock } from './ttl-policy.js';
export { JsonSerializer, StructuredCloneSerializer, type TypeSerializer } from './type-serializer.js';
