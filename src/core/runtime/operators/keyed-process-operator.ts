import type { KeySelector } from '../../api/functions.js';
import type { KeyedProcessFunction } from '../../api/keyed-process-function.js';
import { SimpleTimerService } from '../../time/timer-service.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { ProcessUdfOperator } from './process-udf-operator.js';

/** Runs a {@link KeyedProcessFunction}: sets the key for each record and timer. */
export class KeyedProcessOperator<K, IN, OUT>
  extends ProcessUdfOperator<K, OUT, KeyedProcessFunction<K, IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>
{
  constructor(
    fn: KeyedProcessFunction<K, IN, OUT>,
    private readonly keySelector: KeySelector<IN, K>,
  ) {
    super(fn);
  }

  protected createContexts(): OperatorContext<K> {
    const timers = new SimpleTimerService(this.getInternalTimerService<K>('user-timers', this));
    return new OperatorContext<K>(this.output, timers, this.keyedBackend);
  }

  processElement(value: IN, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.keySelector(value));
    this.stamp(this.timerContext, timestamp);
    this.userFunction.processElement(value, this.timerContext, this.collector);
    this.keyedBackend!.onRecordProcessed();
  }
}
