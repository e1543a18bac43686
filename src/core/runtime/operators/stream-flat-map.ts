import type { Collector } from '../../api/collector.js';
import { type FlatMapFunction, toCallable } from '../../api/functions.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { TimestampedCollector } from './timestamped-collector.js';

/** Runs a {@link FlatMapFunction}. */
export class StreamFlatMap<IN, OUT>
  extends AbstractUdfStreamOperator<OUT, FlatMapFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>
{
  private readonly fn: (value: IN, out: Collector<OUT>) => void;
  private collector!: TimestampedCollector<OUT>;

  constructor(flatMapper: FlatMapFunction<IN, OUT>) {
    super(flatMapper);
    this.fn = toCallable(flatMapper, 'flatMap');
  }

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    return super.open();
  }

  processElement(value: IN, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn(value, this.collector);
  }
}
