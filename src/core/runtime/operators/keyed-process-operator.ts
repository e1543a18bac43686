import type { KeySelector } from '../../api/functions.js';
import type { KeyedProcessFunction } from '../../api/keyed-process-function.js';
import { TimeDomain } from '../../api/time-domain.js';
import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type {
  InternalTimer,
  InternalTimerServiceImpl,
  Triggerable,
} from '../../time/internal-timer-service.js';
import { SimpleTimerService } from '../../time/timer-service.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { TimestampedCollector } from './timestamped-collector.js';

/** Runs a {@link KeyedProcessFunction}: sets the key for each record and timer. */
export class KeyedProcessOperator<K, IN, OUT>
  extends AbstractUdfStreamOperator<OUT, KeyedProcessFunction<K, IN, OUT>>
  implements OneInputStreamOperator<IN, OUT>, Triggerable<K>
{
  private collector!: TimestampedCollector<OUT>;
  private ctx!: OperatorContext<K>;
  private timerServiceImpl!: InternalTimerServiceImpl<K>;

  constructor(
    fn: KeyedProcessFunction<K, IN, OUT>,
    private readonly keySelector: KeySelector<IN, K>,
  ) {
    super(fn);
  }

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    this.timerServiceImpl = this.getInternalTimerService<K>('user-timers', this);
    this.ctx = new OperatorContext<K>(
      this.output,
      new SimpleTimerService(this.timerServiceImpl),
      this.keyedBackend,
    );
    return super.open();
  }

  processElement(value: IN, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.keySelector(value));
    this.ctx.timestampValue = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processElement(value, this.ctx, this.collector);
    this.keyedBackend!.onRecordProcessed();
  }

  onEventTime(timer: InternalTimer<K>): void {
    this.fire(timer.timestamp, TimeDomain.EVENT_TIME, timer.timestamp);
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    this.fire(timer.timestamp, TimeDomain.PROCESSING_TIME, NO_TIMESTAMP);
  }

  private fire(time: number, domain: TimeDomain, outputTimestamp: number): void {
    const onTimer = this.userFunction.onTimer;
    if (!onTimer) return;
    this.ctx.domain = domain;
    this.ctx.timestampValue = outputTimestamp;
    this.collector.timestamp = outputTimestamp;
    onTimer.call(this.userFunction, time, this.ctx, this.collector);
  }
}
