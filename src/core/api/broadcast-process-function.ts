import type { BroadcastState, ReadOnlyBroadcastState } from '../state/broadcast-state.js';
import type { State } from '../state/state.js';
import type { MapStateDescriptor, StateDescriptor } from '../state/state-descriptor.js';
import type { Collector } from './collector.js';
import type { KeyedOnTimerContext, KeyedProcessContext } from './keyed-process-function.js';
import type { ProcessContext } from './process-function.js';
import { AbstractRichFunction } from './rich-function.js';

/** Element side of a broadcast connection: broadcast state is read only here. */
export interface BroadcastReadOnlyContext extends ProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** Broadcast side: broadcast state is writable; every parallel instance sees the same elements. */
export interface BroadcastContext extends ProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/**
 * Connects a non-keyed stream with a broadcast stream (Flink's `BroadcastProcessFunction`).
 * Broadcast elements must change broadcast state the same way in every instance (deterministic),
 * because each instance keeps its own copy.
 */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: BroadcastReadOnlyContext, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** Element side of a keyed broadcast connection: key, timers, keyed state, read-only broadcast state. */
export interface KeyedBroadcastReadOnlyContext<K> extends KeyedProcessContext<K> {
  getBroadcastState<KB, VB>(descriptor: MapStateDescriptor<KB, VB>): ReadOnlyBroadcastState<KB, VB>;
}

/** Broadcast side of a keyed broadcast connection. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /**
   * Runs `fn` for every key of this instance that has state under `descriptor`, with that key's
   * state handle (Flink's `applyToKeyedState`): how a rule change reaches existing keyed state.
   */
  applyToKeyedState<S extends State, K = unknown>(
    descriptor: StateDescriptor<S, any>,
    fn: (key: K, state: S) => void,
  ): void;
}

/** `onTimer` context of a keyed broadcast function. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedOnTimerContext<K> {
  getBroadcastState<KB, VB>(descriptor: MapStateDescriptor<KB, VB>): ReadOnlyBroadcastState<KB, VB>;
}

/**
 * Connects a keyed stream with a broadcast stream (Flink's `KeyedBroadcastProcessFunction`): the
 * way rules reach every parallel task and are applied to every key.
 *
 * @example
 * ```ts
 * const rulesDesc = new MapStateDescriptor<string, Rule>('rules');
 * events.keyBy((e) => e.user)
 *   .connect(rules.broadcast(rulesDesc))
 *   .process(new class extends KeyedBroadcastProcessFunction<string, Event, Rule, Alert> {
 *     processElement(e: Event, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<Alert>) {
 *       for (const [, rule] of ctx.getBroadcastState(rulesDesc).immutableEntries()) { ... }
 *     }
 *     processBroadcastElement(r: Rule, ctx: KeyedBroadcastContext) {
 *       ctx.getBroadcastState(rulesDesc).put(r.id, r);
 *     }
 *   }());
 * ```
 */
export abstract class KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: KeyedBroadcastReadOnlyContext<K>, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
}
