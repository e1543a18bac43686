import type { ProcessFunction } from '../../api/process-function.js';
import { NonKeyedTimerService } from '../non-keyed-timer-service.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { ProcessUdfOperator } from './process-udf-operator.js';

/** Runs a non-keyed {@link ProcessFunction} (no timers: they need keys). */
export class ProcessOperator<IN, OUT>
  extends ProcessUdfOperator<never, OUT, ProcessFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>
{
  protected createContexts(): OperatorContext<never> {
    const timers = new NonKeyedTimerService(this.params.processingTimeService, () => this.currentWatermark);
    return new OperatorContext<never>(this.output, timers, undefined);
  }

  processElement(value: IN, timestamp: number): void {
    this.stamp(this.timerContext, timestamp);
    this.userFunction.processElement(value, this.timerContext, this.collector);
  }
}
