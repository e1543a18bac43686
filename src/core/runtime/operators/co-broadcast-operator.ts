import type {
  BroadcastProcessFunction,
  KeyedBroadcastContext,
  KeyedBroadcastProcessFunction,
} from '../../api/broadcast-process-function.js';
import type { KeySelector } from '../../api/functions.js';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../state/broadcast-state.js';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.js';
import type { State } from '../../state/state.js';
import type { MapStateDescriptor, StateDescriptor } from '../../state/state-descriptor.js';
import { SimpleTimerService } from '../../time/timer-service.js';
import { NonKeyedTimerService } from '../non-keyed-timer-service.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { ProcessUdfOperator } from './process-udf-operator.js';
import { ReadOnlyBroadcastStateView } from './read-only-broadcast-state-view.js';

type AnyBroadcastFunction<K, IN1, IN2, OUT> =
  | BroadcastProcessFunction<IN1, IN2, OUT>
  | KeyedBroadcastProcessFunction<K, IN1, IN2, OUT>;

/** Looks up broadcast state by descriptor, allowing only the descriptors given to `broadcast()`. */
class BroadcastStates {
  readonly writable = new Map<string, BroadcastState<any, any>>();
  readonly readOnly = new Map<string, ReadOnlyBroadcastState<any, any>>();

  lookup(name: string, map: Map<string, unknown>): any {
    const s = map.get(name);
    if (!s) {
      throw new Error(
        `broadcast state '${name}' was not declared; declare it in stream.broadcast(descriptor) (declared: ${[...this.writable.keys()].join(', ')})`,
      );
    }
    return s;
  }
}

/** Element-side and timer context: read-only broadcast state. */
class ReadOnlySideContext<K> extends OperatorContext<K> {
  states!: BroadcastStates;

  getBroadcastState<KB, VB>(descriptor: MapStateDescriptor<KB, VB>): ReadOnlyBroadcastState<KB, VB> {
    return this.states.lookup(descriptor.name, this.states.readOnly);
  }
}

/** Broadcast-side context: writable broadcast state, and keyed state of every key. */
class BroadcastSideContext<K> extends OperatorContext<K> implements KeyedBroadcastContext {
  states!: BroadcastStates;

  getBroadcastState<KB, VB>(descriptor: MapStateDescriptor<KB, VB>): BroadcastState<KB, VB> {
    return this.states.lookup(descriptor.name, this.states.writable);
  }

  applyToKeyedState<S extends State, KK = unknown>(
    descriptor: StateDescriptor<S, any>,
    fn: (key: KK, state: S) => void,
  ): void {
    if (!this.keyedBackend) throw new Error('applyToKeyedState() is only available on keyed streams');
    this.keyedBackend.applyToAllKeys(VOID_NAMESPACE, descriptor, fn as unknown as (key: K, state: S) => void);
  }
}

/**
 * The broadcast state pattern: input 1 is the (keyed or non-keyed) element stream, input 2 the
 * broadcast stream. Every instance keeps its own copy of the broadcast state, written only from
 * the broadcast side, and snapshotted with the operator.
 */
export class CoBroadcastOperator<K, IN1, IN2, OUT>
  extends ProcessUdfOperator<K, OUT, AnyBroadcastFunction<K, IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>
{
  private elementCtx!: ReadOnlySideContext<K>;
  private broadcastCtx!: BroadcastSideContext<K>;

  constructor(
    fn: AnyBroadcastFunction<K, IN1, IN2, OUT>,
    private readonly descriptors: readonly MapStateDescriptor<any, any>[],
    private readonly keySelector?: KeySelector<IN1, K>,
  ) {
    super(fn);
  }

  protected createContexts(): OperatorContext<K> {
    const states = new BroadcastStates();
    for (const d of this.descriptors) {
      const s = this.operatorStateBackend.getBroadcastState(d);
      states.writable.set(d.name, s);
      states.readOnly.set(d.name, new ReadOnlyBroadcastStateView(s));
    }
    const plainTimers = new NonKeyedTimerService(
      this.params.processingTimeService,
      () => this.currentWatermark,
    );
    const elementTimers = this.keyedBackend
      ? new SimpleTimerService(this.getInternalTimerService<K>('user-timers', this))
      : plainTimers;
    this.elementCtx = new ReadOnlySideContext<K>(this.output, elementTimers, this.keyedBackend);
    this.elementCtx.states = states;
    this.broadcastCtx = new BroadcastSideContext<K>(this.output, plainTimers, this.keyedBackend);
    this.broadcastCtx.states = states;
    // Timers fire on the element side, with read-only broadcast state.
    return this.elementCtx;
  }

  processElement1(value: IN1, timestamp: number): void {
    if (this.keySelector) this.keyedBackend!.setCurrentKey(this.keySelector(value));
    this.stamp(this.elementCtx, timestamp);
    this.userFunction.processElement(value, this.elementCtx, this.collector);
    this.keyedBackend?.onRecordProcessed();
  }

  processElement2(value: IN2, timestamp: number): void {
    this.stamp(this.broadcastCtx, timestamp);
    this.userFunction.processBroadcastElement(value, this.broadcastCtx, this.collector);
  }
}
