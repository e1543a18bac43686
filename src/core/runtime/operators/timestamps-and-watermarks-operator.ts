import { MAX_WATERMARK } from '../../api/timestamps.js';
import type { Cancellable } from '../../time/processing-time-service.js';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkOutput,
} from '../../time/watermark-generator.js';
import type { WatermarkStrategy } from '../../time/watermark-strategy.js';
import { type OneInputStreamOperator, RuntimeExecutionMode } from '../stream-operator.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

/**
 * `assignTimestampsAndWatermarks`: stamps each record and generates watermarks from a strategy,
 * periodically every `autoWatermarkInterval`. Upstream watermarks are dropped except the final
 * one (as in Flink): this operator is the new source of event time. In BATCH only the final
 * watermark is emitted.
 */
export class TimestampsAndWatermarksOperator<T>
  extends AbstractStreamOperator<T>
  implements OneInputStreamOperator<T, T>, WatermarkOutput
{
  private assigner!: TimestampAssigner<T>;
  private generator!: WatermarkGenerator<T>;
  private periodic: Cancellable | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private emitWatermarks = true;

  constructor(
    private readonly strategy: WatermarkStrategy<T>,
    private readonly autoWatermarkInterval: number,
  ) {
    super();
  }

  override open(): void {
    const pts = this.params.processingTimeService;
    this.assigner = this.strategy.createTimestampAssigner();
    this.generator = this.strategy.createWatermarkGenerator({
      currentProcessingTime: () => pts.getCurrentProcessingTime(),
    });
    this.emitWatermarks = this.params.executionMode === RuntimeExecutionMode.STREAMING;
    if (this.emitWatermarks && this.autoWatermarkInterval > 0) this.schedulePeriodicEmit();
  }

  private schedulePeriodicEmit(): void {
    const pts = this.params.processingTimeService;
    this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + this.autoWatermarkInterval, () => {
      this.generator.onPeriodicEmit(this);
      this.schedulePeriodicEmit();
    });
  }

  processElement(value: T, timestamp: number): void {
    const ts = this.assigner(value, timestamp);
    // Record first, then the generator (as Flink): a watermark an element causes follows it, so
    // a "watermark = timestamp" generator never makes its own element late.
    this.output.collect(value, ts);
    this.generator.onEvent(value, ts, this);
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK && this.lastEmitted !== MAX_WATERMARK) {
      this.lastEmitted = MAX_WATERMARK;
      super.processWatermark(watermark);
    }
  }

  override processWatermarkStatus(): void {
    // Idleness comes from this operator's own strategy, not from upstream.
  }

  emitWatermark(watermark: number): void {
    if (!this.emitWatermarks) return;
    if (this.idle) this.markActive();
    if (watermark <= this.lastEmitted) return;
    this.lastEmitted = watermark;
    super.processWatermark(watermark);
  }

  markIdle(): void {
    if (!this.emitWatermarks || this.idle) return;
    this.idle = true;
    this.output.emitWatermarkStatus(true);
  }

  markActive(): void {
    if (!this.emitWatermarks || !this.idle) return;
    this.idle = false;
    this.output.emitWatermarkStatus(false);
  }

  override finish(): void {
    this.periodic?.cancel();
    this.periodic = undefined;
  }

  override close(): void | Promise<void> {
    this.periodic?.cancel();
    return super.close();
  }
}
