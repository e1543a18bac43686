import type { CoFlatMapFunction } from '../../api/functions.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { TimestampedCollector } from './timestamped-collector.js';

/** Runs a {@link CoFlatMapFunction} over connected streams. */
export class CoStreamFlatMap<IN1, IN2, OUT>
  extends AbstractUdfStreamOperator<OUT, CoFlatMapFunction<IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>
{
  private collector!: TimestampedCollector<OUT>;

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    return super.open();
  }

  processElement1(value: IN1, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.userFunction.flatMap1(value, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.userFunction.flatMap2(value, this.collector);
  }
}
