import { type FilterFunction, toCallable } from '../../api/functions.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';

/** Runs a {@link FilterFunction}. */
export class StreamFilter<T>
  extends AbstractUdfStreamOperator<T, FilterFunction<T>>
  implements OneInputStreamOperator<T, T>
{
  private readonly fn: (value: T) => boolean;

  constructor(filter: FilterFunction<T>) {
    super(filter);
    this.fn = toCallable(filter, 'filter');
  }

  processElement(value: T, timestamp: number): void {
    if (this.fn(value)) this.output.collect(value, timestamp);
  }
}
