import type { CoMapFunction } from '../../api/functions.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';

/** Runs a {@link CoMapFunction} over connected streams. */
export class CoStreamMap<IN1, IN2, OUT>
  extends AbstractUdfStreamOperator<OUT, CoMapFunction<IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>
{
  processElement1(value: IN1, timestamp: number): void {
    this.output.collect(this.userFunction.map1(value), timestamp);
  }

  processElement2(value: IN2, timestamp: number): void {
    this.output.collect(this.userFunction.map2(value), timestamp);
  }
}
