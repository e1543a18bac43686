import type { AggregateFunction, ReduceFunction } from './state.js';
import type { StateTtlConfig } from './state-ttl-config.js';
import { StructuredCloneSerializer, type TypeSerializer } from './type-serializer.js';

/** The kinds of state a descriptor can describe. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/**
 * Names a piece of state and how it is stored. The name is what savepoints use to map state into a
 * new version of a job, so keep it stable.
 */
export abstract class StateDescriptor<S, V = unknown> {
  abstract readonly kind: StateKind;
  ttlConfig: StateTtlConfig | undefined;
  declare readonly __state?: S;

  constructor(
    readonly name: string,
    /** Serializer for the stored values (list elements, map values, accumulators). */
    readonly serializer: TypeSerializer<V> = StructuredCloneSerializer.INSTANCE,
  ) {
    if (!name) throw new Error('state name must be a non-empty string');
  }

  /** Enables time-to-live for this state. */
  enableTimeToLive(config: StateTtlConfig): this {
    this.ttlConfig = config;
    return this;
  }
}

/**
 * @example
 * ```ts
 * const count = ctx.getState(new ValueStateDescriptor<number>('count'));
 * count.update((count.value() ?? 0) + 1);
 * ```
 */
export class ValueStateDescriptor<T> extends StateDescriptor<import('./state.js').ValueState<T>, T> {
  readonly kind = 'value' as const;

  constructor(
    name: string,
    serializer?: TypeSerializer<T>,
    /** Returned by `value()` when nothing is stored (deprecated in Flink, handy for counters). */
    readonly defaultValue?: T,
  ) {
    super(name, serializer);
  }
}

/** Describes a {@link ListState}. */
export class ListStateDescriptor<T> extends StateDescriptor<import('./state.js').ListState<T>, T> {
  readonly kind = 'list' as const;
}

/** Describes a {@link MapState}; map keys must be strings, numbers or booleans. */
export class MapStateDescriptor<UK, UV> extends StateDescriptor<import('./state.js').MapState<UK, UV>, UV> {
  readonly kind = 'map' as const;
  /** See {@link MapStateDescriptor.withImmutableValues}. */
  valuesImmutable = false;

  /**
   * Promises that a value is never changed in place once put (only replaced by another `put`):
   * a broadcast state's snapshots then reuse the bytes of the values not replaced since the last
   * one, instead of serializing every value at every checkpoint (large rule tables). Not in
   * Flink, whose heap broadcast state serializes every value.
   *
   * @example
   * ```ts
   * const rules = new MapStateDescriptor<string, RuleEntry>('rules').withImmutableValues();
   * ```
   */
  withImmutableValues(): this {
    this.valuesImmutable = true;
    return this;
  }
}

/** Describes a {@link ReducingState}. */
export class ReducingStateDescriptor<T> extends StateDescriptor<import('./state.js').ReducingState<T>, T> {
  readonly kind = 'reducing' as const;

  constructor(
    name: string,
    readonly reduceFunction: ReduceFunction<T>,
    serializer?: TypeSerializer<T>,
  ) {
    super(name, serializer);
  }
}

/** Describes an {@link AggregatingState}; the serializer is for the accumulator. */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<
  import('./state.js').AggregatingState<IN, OUT>,
  ACC
> {
  readonly kind = 'aggregating' as const;

  constructor(
    name: string,
    readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>,
    serializer?: TypeSerializer<ACC>,
  ) {
    super(name, serializer);
  }
}
