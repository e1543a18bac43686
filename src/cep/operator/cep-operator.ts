import type { KeySelector } from '../../core/api/functions.js';
import type { OutputTag } from '../../core/api/output-tag.js';
import { AbstractUdfStreamOperator } from '../../core/runtime/operators/abstract-udf-stream-operator.js';
import { TimestampedCollector } from '../../core/runtime/operators/timestamped-collector.js';
import type { OneInputStreamOperator } from '../../core/runtime/stream-operator.js';
import type { InternalKvState } from '../../core/state/keyed-state-backend.js';
import type { ValueState } from '../../core/state/state.js';
import { ValueStateDescriptor } from '../../core/state/state-descriptor.js';
import type {
  InternalTimer,
  InternalTimerServiceImpl,
  Triggerable,
} from '../../core/time/internal-timer-service.js';
import { NFA } from '../nfa/nfa.js';
import type { CompiledNFA } from '../nfa/nfa-compiler.js';
import type { NFAState } from '../nfa/nfa-state.js';
import { deserializeNFAState, serializeNFAState } from '../nfa/nfa-state-serializer.js';
import { drainElementQueue, type ElementQueue, enqueueElement } from './element-queue.js';
import {
  isTimedOutPartialMatchHandler,
  type PatternContext,
  type PatternProcessFunction,
} from './pattern-process-function.js';

/** How a CEP operator is configured (the PatternStream API fills it in). */
export interface CepOperatorConfig<IN, K> {
  readonly compiled: CompiledNFA<IN>;
  readonly keySelector: KeySelector<IN, K>;
  readonly eventTime: boolean;
  /** Orders events with equal timestamps (after arrival order, which is kept when it returns 0). */
  readonly comparator: ((a: IN, b: IN) => number) | undefined;
  readonly lateDataTag: OutputTag<IN> | undefined;
}

const NFA_STATE = 'cep.nfa-state';
const ELEMENT_QUEUE = 'cep.element-queue';

/**
 * Runs one pattern over a keyed stream (Flink's `CepOperator`). In event time, events are buffered
 * per key and timestamp until the watermark passes them, then fed to the NFA in timestamp order
 * (ties by the comparator, then arrival); events at or behind the watermark are late (dropped or
 * side-output). Keys with partial matches get a timer at the next watermark, so `within` timeouts
 * and a trailing `notFollowedBy` complete by time alone. A key whose NFA holds nothing and whose
 * queue is empty keeps no state.
 */
export class CepOperator<IN, OUT, K>
  extends AbstractUdfStreamOperator<OUT, PatternProcessFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>, Triggerable<K>
{
  private nfa!: NFA<IN>;
  private nfaState!: InternalKvState<ValueState<NFAState<IN>>>;
  private queue!: ValueState<ElementQueue<IN>>;
  private timers!: InternalTimerServiceImpl<K>;
  private collector!: TimestampedCollector<OUT>;
  private ts = 0;
  /** The key's NFA state while its queue drains (read by the two callbacks below). */
  private state: NFAState<IN> | undefined;
  /** Bound once: the hot path allocates no closure per firing. */
  private readonly advanceTo = (timestamp: number): void => this.advance(this.state!, timestamp);
  private readonly feedOne = (event: IN, timestamp: number): void => this.feed(this.state!, event, timestamp);
  private readonly handlesTimeouts: boolean;
  private readonly context: PatternContext = {
    timestamp: () => this.ts,
    currentProcessingTime: () => this.params.processingTimeService.getCurrentProcessingTime(),
    output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(tag, value, this.ts),
  };

  constructor(
    fn: PatternProcessFunction<IN, OUT>,
    private readonly config: CepOperatorConfig<IN, K>,
  ) {
    super(fn);
    this.handlesTimeouts = isTimedOutPartialMatchHandler(fn);
  }

  override open(): void | Promise<void> {
    const compiled = this.config.compiled;
    const pts = this.params.processingTimeService;
    this.nfa = new NFA<IN>(compiled, { processingTime: () => pts.getCurrentProcessingTime() });
    this.nfaState = this.keyedBackend!.getOrCreateKeyedState(
      new ValueStateDescriptor<NFAState<IN>>(NFA_STATE, {
        serialize: (s) => serializeNFAState(compiled, s),
        deserialize: (b) => deserializeNFAState(compiled, b),
      }),
    );
    this.queue = this.keyedBackend!.getOrCreateKeyedState(
      new ValueStateDescriptor<ElementQueue<IN>>(ELEMENT_QUEUE),
    );
    this.timers = this.getInternalTimerService<K>('cep-timers', this);
    this.collector = new TimestampedCollector(this.output);
    return super.open();
  }

  processElement(value: IN, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.config.keySelector(value));
    if (!this.config.eventTime) {
      const now = this.params.processingTimeService.getCurrentProcessingTime();
      const state = this.currentState();
      this.advance(state, now);
      this.feed(state, value, now);
      this.store(state);
      this.scheduleTimeout(state, now, false);
      return;
    }
    if (timestamp <= this.currentWatermark) {
      if (this.config.lateDataTag) this.output.collectSide(this.config.lateDataTag, value, timestamp);
      return;
    }
    if (!enqueueElement(this.queue, value, timestamp)) return;
    // One timer per key and watermark (Flink's saveRegisterWatermarkTimer), not one per event;
    // onEventTime renews it while events stay queued.
    this.timers.registerEventTimeTimer('', this.nextWatermarkTimer());
  }

  /** The time of a timer that fires at the next watermark advance. */
  private nextWatermarkTimer(): number {
    const w = this.currentWatermark;
    return w + 1 > w ? w + 1 : w;
  }

  onEventTime(_timer: InternalTimer<K>): void {
    const watermark = this.currentWatermark;
    this.state = this.currentState();
    const queue = this.queue.value();
    if (queue !== undefined) {
      const pendingLater = drainElementQueue(
        queue,
        watermark,
        this.config.comparator,
        this.advanceTo,
        this.feedOne,
      );
      if (pendingLater) this.timers.registerEventTimeTimer('', this.nextWatermarkTimer());
      else this.queue.clear();
    }
    const state = this.state;
    this.state = undefined;
    this.advance(state, watermark);
    this.store(state);
    this.scheduleTimeout(state, watermark, true);
  }

  onProcessingTime(_timer: InternalTimer<K>): void {
    const now = this.params.processingTimeService.getCurrentProcessingTime();
    const state = this.currentState();
    this.advance(state, now);
    this.store(state);
    this.scheduleTimeout(state, now, false);
  }

  /** Keys with partial matches need time to move on even without events (timeouts, absence). */
  private scheduleTimeout(state: NFAState<IN>, now: number, eventTime: boolean): void {
    const next = this.nfa.nextTimeout(state);
    if (next === undefined) return;
    if (eventTime) this.timers.registerEventTimeTimer('', Math.max(next, now + 1));
    else this.timers.registerProcessingTimeTimer('', Math.max(next, now + 1));
  }

  private currentState(): NFAState<IN> {
    this.nfaState.setCurrentNamespace('');
    return this.nfaState.value() ?? this.nfa.createInitialState();
  }

  private store(state: NFAState<IN>): void {
    if (this.nfa.isStateEmpty(state)) this.nfaState.clear();
    else this.nfaState.update(state);
  }

  private feed(state: NFAState<IN>, event: IN, timestamp: number): void {
    for (const match of this.nfa.process(state, event, timestamp)) this.emit(match, timestamp);
  }

  private advance(state: NFAState<IN>, timestamp: number): void {
    const { matches, timedOut } = this.nfa.advanceTime(state, timestamp);
    for (const match of matches) this.emit(match, timestamp);
    if (this.handlesTimeouts) {
      const handler = this.userFunction as unknown as {
        processTimedOutMatch(m: Map<string, IN[]>, c: PatternContext): void;
      };
      for (const [match, at] of timedOut) {
        this.ts = at;
        handler.processTimedOutMatch(match, this.context);
      }
    }
  }

  private emit(match: Map<string, IN[]>, timestamp: number): void {
    this.ts = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processMatch(match, this.context, this.collector);
  }
}
