import { timestampOrNull } from '../../api/timestamps.js';
import type { Sink, SinkWriter, SinkWriterContext } from '../../connectors/sink.js';
import type { OneInputStreamOperator } from '../stream-operator.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return v !== undefined && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** Runs a {@link Sink}'s writer; a write that returns a promise pauses the task until it settles. */
export class SinkWriterOperator<T>
  extends AbstractStreamOperator<never>
  implements OneInputStreamOperator<T, never>
{
  private writer!: SinkWriter<T>;
  private ts = 0;
  private readonly context: SinkWriterContext = {
    timestamp: () => timestampOrNull(this.ts),
    currentWatermark: () => this.currentWatermark,
  };

  constructor(private readonly sink: Sink<T>) {
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
    this.ts = timestamp;
    const pending = this.writer.write(value, this.context);
    if (isPromiseLike(pending)) this.params.blockOn(pending);
  }

  override async finish(): Promise<void> {
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
