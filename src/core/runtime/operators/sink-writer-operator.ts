import { timestampOrNull } from '../../api/timestamps.js';
import type { Sink, SinkWriter, SinkWriterContext } from '../../connectors/sink.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

/** Whether a writer's or committer's result is asynchronous. @example `if (isPromiseLike(r)) await r;` */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * Runs a {@link Sink}'s writer. Writes are strictly sequential: when a write returns a promise,
 * the task is paused, and records that still arrive in the same batch (a source poll, a flatMap
 * burst from a chained operator) wait in a small queue and are written one after another once it
 * settles. The writer never sees two writes in flight, and `finish` flushes only after the last.
 * The two-phase-commit operator extends it with pre-commit and commit.
 */
export class SinkWriterOperator<T>
  extends AbstractStreamOperator<never>
  implements OneInputStreamOperator<T, never>
{
  protected writer!: SinkWriter<T>;
  private ts = 0;
  /** The write being awaited (with the records queued behind it), if any. */
  protected inFlight: Promise<void> | undefined;
  private readonly queuedValues: T[] = [];
  /** Watermark and idleness that arrived while a write was in flight: delivered after the queue. */
  private deferredWatermark: number | undefined;
  private deferredIdle: boolean | undefined;
  private readonly queuedTimestamps: number[] = [];
  private readonly context: SinkWriterContext = {
    timestamp: () => timestampOrNull(this.ts),
    currentWatermark: () => this.currentWatermark,
  };

  constructor(protected readonly sink: Sink<T>) {
    super();
  }

  override open(): void {
    const info = this.params.taskInfo;
    this.writer = this.sink.createWriter({
      subtaskIndex: info.indexOfThisSubtask,
      parallelism: info.numberOfParallelSubtasks,
    });
  }

  processElement(value: T, timestamp: number): void {
    if (this.inFlight) {
      this.queuedValues.push(value);
      this.queuedTimestamps.push(timestamp);
      return;
    }
    this.ts = timestamp;
    const pending = this.writer.write(value, this.context);
    if (isPromiseLike(pending)) {
      this.inFlight = this.writeQueued(pending);
      this.params.blockOn(this.inFlight);
    }
  }

  /** Waits for `first`, then writes the queued records in order, each after the previous settled. */
  private async writeQueued(first: PromiseLike<unknown>): Promise<void> {
    try {
      await first;
      for (let i = 0; i < this.queuedValues.length; i++) {
        this.ts = this.queuedTimestamps[i]!;
        const pending = this.writer.write(this.queuedValues[i]!, this.context);
        if (isPromiseLike(pending)) await pending;
      }
    } finally {
      this.queuedValues.length = 0;
      this.queuedTimestamps.length = 0;
      this.inFlight = undefined;
    }
    const watermark = this.deferredWatermark;
    const idle = this.deferredIdle;
    this.deferredWatermark = undefined;
    this.deferredIdle = undefined;
    if (watermark !== undefined) this.writer.writeWatermark?.(watermark);
    if (idle !== undefined) this.writer.writeWatermarkStatus?.(idle);
  }

  override processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    super.processWatermark(watermark);
    if (this.writer.writeWatermark === undefined) return;
    if (this.inFlight) this.deferredWatermark = watermark;
    else this.writer.writeWatermark(watermark);
  }

  override processWatermarkStatus(idle: boolean): void {
    super.processWatermarkStatus(idle);
    if (this.writer.writeWatermarkStatus === undefined) return;
    if (this.inFlight) this.deferredIdle = idle;
    else this.writer.writeWatermarkStatus(idle);
  }

  override async finish(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    await this.writer.flush(true);
  }

  override async close(): Promise<void> {
    try {
      if (this.writer) await this.writer.close();
    } finally {
      await super.close();
    }
  }
}
