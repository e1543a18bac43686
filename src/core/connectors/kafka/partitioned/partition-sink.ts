import type { SinkInitContext, SinkWriterContext } from '../../sink.js';
import type { Committer } from '../../two-phase-commit/committer.js';
import type { PrecommittingSinkWriter } from '../../two-phase-commit/precommitting-sink-writer.js';
import type { TwoPhaseCommittingSink } from '../../two-phase-commit/two-phase-committing-sink.js';
import type { KafkaSinkMessage } from '../kafka-committable.js';
import { type WatermarkRecordTarget, watermarkRecords } from './repartition-watermarks.js';
import type { TaskCommitContext } from './task-commit-context.js';
import type { TaskOutputRecord } from './task-output-record.js';

/**
 * The output sink of a partition task, a two-phase-commit sink: records are buffered, and at the
 * checkpoint barrier (`prepareCommit`) the buffer is handed to the task's commit context instead
 * of into the checkpoint. The task's checkpoint storage then writes them in the same Kafka
 * transaction as the state snapshot and the input offset; the committer has nothing left to do.
 * Each record carries its event time as the Kafka timestamp.
 *
 * With `watermarks` (the output is a repartition topic) the writer also follows the task's
 * watermark and idleness and, at every barrier where either changed, appends one watermark
 * record per output partition after the data records: a downstream task's event time is the
 * minimum over its upstream tasks (see `UpstreamWatermarks`).
 */
export class PartitionTaskSink<T> implements TwoPhaseCommittingSink<T, never> {
  readonly twoPhaseCommit = true as const;

  constructor(
    private readonly context: TaskCommitContext,
    private readonly topic: string,
    private readonly serializer: (value: T) => KafkaSinkMessage,
    private readonly watermarks?: WatermarkRecordTarget,
  ) {}

  createWriter(_context: SinkInitContext): PrecommittingSinkWriter<T, never> {
    return new PartitionTaskWriter(this.context, this.topic, this.serializer, this.watermarks);
  }

  createCommitter(_context: SinkInitContext): Committer<never> {
    return { commit(): void {} };
  }
}

class PartitionTaskWriter<T> implements PrecommittingSinkWriter<T, never> {
  private buffer: TaskOutputRecord[] = [];
  private watermark = Number.NEGATIVE_INFINITY;
  private idle = false;
  /** What the last watermark records said (nothing yet after a (re)start: always written once). */
  private writtenWatermark: number | undefined;
  private writtenIdle: boolean | undefined;

  constructor(
    private readonly context: TaskCommitContext,
    private readonly topic: string,
    private readonly serializer: (value: T) => KafkaSinkMessage,
    private readonly watermarks: WatermarkRecordTarget | undefined,
  ) {}

  write(value: T, ctx: SinkWriterContext): void {
    const m = this.serializer(value);
    const ts = ctx.timestamp();
    this.buffer.push({
      topic: this.topic,
      key: m.key,
      value: m.value,
      ...(ts !== null ? { timestamp: ts } : {}),
      ...(m.headers !== undefined ? { headers: m.headers } : {}),
    });
  }

  writeWatermark(watermark: number): void {
    this.watermark = watermark;
  }

  writeWatermarkStatus(idle: boolean): void {
    this.idle = idle;
  }

  flush(): void {}

  prepareCommit(checkpointId?: number): never[] {
    const w = this.watermarks;
    if (w !== undefined && (this.writtenWatermark !== this.watermark || this.writtenIdle !== this.idle)) {
      // The watermark advanced and the input went idle in one interval: say it in that order, or
      // a downstream task, which leaves idle upstream tasks out, would never see the advance.
      if (this.idle && this.writtenWatermark !== this.watermark && this.writtenIdle !== undefined) {
        for (const r of watermarkRecords(w, this.watermark, false)) this.buffer.push(r);
      }
      for (const r of watermarkRecords(w, this.watermark, this.idle)) this.buffer.push(r);
      this.writtenWatermark = this.watermark;
      this.writtenIdle = this.idle;
    }
    this.context.addOutputs(checkpointId ?? Number.MAX_SAFE_INTEGER, this.buffer);
    this.buffer = [];
    return [];
  }

  close(): void {
    this.buffer = [];
  }
}
