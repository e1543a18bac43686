import { TimeDomain } from '../../api/time-domain.js';
import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type { InternalTimer, Triggerable } from '../../time/internal-timer-service.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import type { OperatorContext } from './operator-context.js';
import { TimestampedCollector } from './timestamped-collector.js';

/** A process function's optional timer callback, whatever its context type. */
interface WithOnTimer<OUT> {
  onTimer?(timestamp: number, ctx: any, out: TimestampedCollector<OUT>): void;
}

/**
 * Base of the operators around process functions: one reused collector and context, records and
 * timers stamped the Flink way (results of an element carry its timestamp, results of an
 * event-time timer carry the timer's, results of a processing-time timer carry none).
 */
export abstract class ProcessUdfOperator<K, OUT, F extends object>
  extends AbstractUdfStreamOperator<OUT, F>
  implements Triggerable<K>
{
  protected collector!: TimestampedCollector<OUT>;
  /** The context `onTimer` receives. */
  protected timerContext!: OperatorContext<K>;

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    this.timerContext = this.createContexts();
    return super.open();
  }

  /** Creates the operator's contexts; returns the one used for timers. */
  protected abstract createContexts(): OperatorContext<K>;

  /** Points the context and the collector at the record about to be processed. */
  protected stamp(ctx: OperatorContext<K>, timestamp: number): void {
    ctx.timestampValue = timestamp;
    this.collector.timestamp = timestamp;
  }

  onEventTime(timer: InternalTimer<K>): void {
    this.fire(timer.timestamp, TimeDomain.EVENT_TIME, timer.timestamp);
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    this.fire(timer.timestamp, TimeDomain.PROCESSING_TIME, NO_TIMESTAMP);
  }

  private fire(time: number, domain: TimeDomain, outputTimestamp: number): void {
    const fn = this.userFunction as WithOnTimer<OUT>;
    if (!fn.onTimer) return;
    this.timerContext.domain = domain;
    this.stamp(this.timerContext, outputTimestamp);
    fn.onTimer(time, this.timerContext, this.collector);
  }
}
