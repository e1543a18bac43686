import { type MapFunction, toCallable } from '../../api/functions.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';

/** Runs a {@link MapFunction}. */
export class StreamMap<IN, OUT>
  extends AbstractUdfStreamOperator<OUT, MapFunction<IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>
{
  private readonly fn: (value: IN) => OUT;

  constructor(mapper: MapFunction<IN, OUT>) {
    super(mapper);
    this.fn = toCallable(mapper, 'map');
  }

  processElement(value: IN, timestamp: number): void {
    this.output.collect(this.fn(value), timestamp);
  }
}
