import type { CoProcessFunction, KeyedCoProcessFunction } from '../../api/co-process-function.js';
import type { KeySelector } from '../../api/functions.js';
import { SimpleTimerService } from '../../time/timer-service.js';
import { NonKeyedTimerService } from '../non-keyed-timer-service.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { ProcessUdfOperator } from './process-udf-operator.js';

type AnyCoProcessFunction<K, IN1, IN2, OUT> =
  | CoProcessFunction<IN1, IN2, OUT>
  | KeyedCoProcessFunction<K, IN1, IN2, OUT>;

/**
 * Runs a {@link CoProcessFunction}, or a {@link KeyedCoProcessFunction} when both inputs are
 * keyed (then with keyed state and timers shared by both inputs).
 */
export class CoProcessOperator<K, IN1, IN2, OUT>
  extends ProcessUdfOperator<K, OUT, AnyCoProcessFunction<K, IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>
{
  constructor(
    fn: AnyCoProcessFunction<K, IN1, IN2, OUT>,
    private readonly keySelector1?: KeySelector<IN1, K>,
    private readonly keySelector2?: KeySelector<IN2, K>,
  ) {
    super(fn);
  }

  protected createContexts(): OperatorContext<K> {
    const timers = this.keyedBackend
      ? new SimpleTimerService(this.getInternalTimerService<K>('user-timers', this))
      : new NonKeyedTimerService(this.params.processingTimeService, () => this.currentWatermark);
    return new OperatorContext<K>(this.output, timers, this.keyedBackend);
  }

  processElement1(value: IN1, timestamp: number): void {
    if (this.keySelector1) this.keyedBackend!.setCurrentKey(this.keySelector1(value));
    this.stamp(this.timerContext, timestamp);
    this.userFunction.processElement1(value, this.timerContext, this.collector);
    this.keyedBackend?.onRecordProcessed();
  }

  processElement2(value: IN2, timestamp: number): void {
    if (this.keySelector2) this.keyedBackend!.setCurrentKey(this.keySelector2(value));
    this.stamp(this.timerContext, timestamp);
    this.userFunction.processElement2(value, this.timerContext, this.collector);
    this.keyedBackend?.onRecordProcessed();
  }
}
