import type { KeySelector } from '../../api/functions.js';
import { MAX_WATERMARK } from '../../api/timestamps.js';
import { VOID_NAMESPACE } from '../../state/keyed-state-backend.js';
import type { ValueState } from '../../state/state.js';
import { ValueStateDescriptor } from '../../state/state-descriptor.js';
import { type OneInputStreamOperator, RuntimeExecutionMode } from '../stream-operator.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

/** A copy of the top level of a record (arrays, plain objects, class instances); primitives as they are. */
function shallowCopy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.slice() as T;
  return Object.assign(Object.create(Object.getPrototypeOf(v)), v);
}

/**
 * Rolling reduce on a keyed stream (`reduce`, `sum`, `min`, `max`, `minBy`, `maxBy`). In
 * STREAMING every input emits the key's updated aggregate; in BATCH only the final aggregate per
 * key is emitted when input ends (as Flink's batch reduce does), so both modes agree on the final
 * value of every key. Emitted aggregates are copies (top level) of the accumulator in state.
 */
export class StreamGroupedReduceOperator<T, K>
  extends AbstractStreamOperator<T>
  implements OneInputStreamOperator<T, T>
{
  private static readonly STATE = '_op_state';
  private values!: ValueState<T>;
  private batchValues!: ValueState<[T, number]>;
  private batch = false;
  private flushed = false;

  constructor(
    private readonly reducer: (a: T, b: T) => T,
    private readonly keySelector: KeySelector<T, K>,
  ) {
    super();
  }

  override open(): void {
    this.batch = this.params.executionMode === RuntimeExecutionMode.BATCH;
    if (this.batch) {
      this.batchValues = this.keyedBackend!.getOrCreateKeyedState(
        new ValueStateDescriptor<[T, number]>(StreamGroupedReduceOperator.STATE),
      );
    } else {
      this.values = this.keyedBackend!.getOrCreateKeyedState(
        new ValueStateDescriptor<T>(StreamGroupedReduceOperator.STATE),
      );
    }
  }

  processElement(value: T, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.keySelector(value));
    if (this.batch) {
      const prev = this.batchValues.value();
      this.batchValues.update([
        prev === undefined ? shallowCopy(value) : this.reducer(prev[0], value),
        timestamp,
      ]);
      return;
    }
    const prev = this.values.value();
    // The accumulator in state is never an object anybody else holds: not the caller's input
    // (a reducer may update its first argument in place, as Flink allows) and not an emitted
    // record (a downstream function may mutate its input).
    const next = prev === undefined ? shallowCopy(value) : this.reducer(prev, value);
    this.values.update(next);
    this.output.collect(shallowCopy(next), timestamp);
  }

  /** In BATCH the final values go out before the final watermark, so downstream sees none as late. */
  override processWatermark(watermark: number): void {
    if (this.batch && watermark === MAX_WATERMARK) this.emitFinalValues();
    super.processWatermark(watermark);
  }

  override finish(): void {
    this.emitFinalValues();
  }

  private emitFinalValues(): void {
    if (!this.batch || this.flushed) return;
    this.flushed = true;
    const descriptor = new ValueStateDescriptor<[T, number]>(StreamGroupedReduceOperator.STATE);
    this.keyedBackend!.applyToAllKeys(VOID_NAMESPACE, descriptor, (_key, state) => {
      const v = state.value();
      if (v !== undefined) this.output.collect(shallowCopy(v[0]), v[1]);
    });
  }
}
