import type { CoProcessFunction, KeyedCoProcessFunction } from '../../api/co-process-function.js';
import type { KeySelector } from '../../api/functions.js';
import { TimeDomain } from '../../api/time-domain.js';
import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type { InternalTimer, Triggerable } from '../../time/internal-timer-service.js';
import { SimpleTimerService } from '../../time/timer-service.js';
import { NonKeyedTimerService } from '../non-keyed-timer-service.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { OperatorContext } from './operator-context.js';
import { TimestampedCollector } from './timestamped-collector.js';

type AnyCoProcessFunction<K, IN1, IN2, OUT> =
  | CoProcessFunction<IN1, IN2, OUT>
  | KeyedCoProcessFunction<K, IN1, IN2, OUT>;

/**
 * Runs a {@link CoProcessFunction}, or a {@link KeyedCoProcessFunction} when both inputs are
 * keyed (then with keyed state and timers).
 */
export class CoProcessOperator<K, IN1, IN2, OUT>
  extends AbstractUdfStreamOperator<OUT, AnyCoProcessFunction<K, IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>, Triggerable<K>
{
  private collector!: TimestampedCollector<OUT>;
  private ctx!: OperatorContext<K>;

  constructor(
    fn: AnyCoProcessFunction<K, IN1, IN2, OUT>,
    private readonly keySelector1?: KeySelector<IN1, K>,
    private readonly keySelector2?: KeySelector<IN2, K>,
  ) {
    super(fn);
  }

  override open(): void | Promise<void> {
    this.collector = new TimestampedCollector(this.output);
    const timers = this.keyedBackend
      ? new SimpleTimerService(this.getInternalTimerService<K>('user-timers', this))
      : new NonKeyedTimerService(this.params.processingTimeService, () => this.currentWatermark);
    this.ctx = new OperatorContext<K>(this.output, timers, this.keyedBackend);
    return super.open();
  }

  processElement1(value: IN1, timestamp: number): void {
    if (this.keySelector1) this.keyedBackend!.setCurrentKey(this.keySelector1(value));
    this.ctx.timestampValue = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processElement1(value, this.ctx, this.collector);
  }

  processElement2(value: IN2, timestamp: number): void {
    if (this.keySelector2) this.keyedBackend!.setCurrentKey(this.keySelector2(value));
    this.ctx.timestampValue = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processElement2(value, this.ctx, this.collector);
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
    onTimer.call(this.userFunction, time, this.ctx as any, this.collector);
  }
}
