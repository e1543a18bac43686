import type { Collector } from '../../api/collector.js';
import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type { Output } from '../output.js';

/**
 * The collector user functions emit to: results carry the timestamp of the input record (or of
 * the firing event-time timer), as in Flink. One instance per operator, reused for every record.
 */
export class TimestampedCollector<T> implements Collector<T> {
  timestamp = NO_TIMESTAMP;

  constructor(private readonly output: Output<T>) {}

  collect(value: T): void {
    this.output.collect(value, this.timestamp);
  }
}
