import type { ProcessFunction } from '../../api/process-function.js';
import { NonKeyedTimerService } from '../non-keyed-timer-service.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { TimestampedCollector } from './timestamped-collector.js';

/** Runs a non-keyed {@link ProcessFunction}. */
export class ProcessOperator<IN, OUT>
  extends AbstractUdfStreamOperator<OUT, ProcessFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>
{
  private collector!: TimestampedCollector<OUT>;
  private ctx!: OperatorContext;

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    const timers = new NonKeyedTimerService(this.params.processingTimeService, () => this.currentWatermark);
    this.ctx = new OperatorContext(this.output, timers, undefined);
    return super.open();
  }

  processElement(value: IN, timestamp: number): void {
    this.ctx.timestampValue = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processElement(value, this.ctx, this.collector);
  }
}
