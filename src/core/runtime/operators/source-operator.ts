import { MAX_WATERMARK, NO_TIMESTAMP } from '../../api/timestamps.js';
import type {
  InputStatus,
  ReaderOutput,
  Source,
  SourceOutput,
  SourceReader,
  SourceSplit,
} from '../../connectors/source.js';
import type { ListState } from '../../state/state.js';
import { ListStateDescriptor } from '../../state/state-descriptor.js';
import type { Cancellable } from '../../time/processing-time-service.js';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkOutput,
} from '../../time/watermark-generator.js';
import { WatermarkOutputMultiplexer } from '../../time/watermark-output-multiplexer.js';
import type { WatermarkStrategy } from '../../time/watermark-strategy.js';
import type { SourceCoordinator } from '../source-coordinator.js';
import { type OperatorSnapshot, RuntimeExecutionMode } from '../stream-operator.js';
import { AbstractStreamOperator } from './abstract-stream-operator.js';

const MAIN_OUTPUT = '\u0000main';

/** A split's (or the reader's main) output: stamps records and feeds its own watermark generator. */
class StampingOutput<T> implements SourceOutput<T> {
  constructor(
    private readonly op: SourceOperator<T>,
    readonly generator: WatermarkGenerator<T>,
    readonly watermarks: WatermarkOutput,
  ) {}

  collect(record: T, timestamp?: number): void {
    const ts = this.op.assigner(record, timestamp ?? NO_TIMESTAMP);
    // Record first, then the generator, as Flink's SourceOutputWithWatermarks does.
    this.op.emitRecord(record, ts);
    this.generator.onEvent(record, ts, this.watermarks);
  }

  emitWatermark(watermark: number): void {
    this.watermarks.emitWatermark(watermark);
  }

  markIdle(): void {
    this.watermarks.markIdle();
  }

  markActive(): void {
    this.watermarks.markActive();
  }
}

/**
 * The head of a source task: polls a {@link SourceReader}, stamps records with the watermark
 * strategy (per split when the reader asks for split outputs, as Kafka partitions do) and keeps
 * the reader's splits with their positions in operator list state, so they move on rescale.
 */
export class SourceOperator<T> extends AbstractStreamOperator<T> implements ReaderOutput<T> {
  assigner!: TimestampAssigner<T>;
  private reader!: SourceReader<T, SourceSplit>;
  private splitsState!: ListState<SourceSplit>;
  private multiplexer!: WatermarkOutputMultiplexer;
  private main: StampingOutput<T> | undefined;
  private readonly splitOutputs = new Map<string, StampingOutput<T>>();
  private periodic: Cancellable | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private streaming = true;

  constructor(
    private readonly source: Source<T, SourceSplit, unknown>,
    private readonly strategy: WatermarkStrategy<T>,
    private readonly autoWatermarkInterval: number,
    private readonly coordinator: SourceCoordinator<T, SourceSplit, unknown>,
  ) {
    super();
  }

  override async open(): Promise<void> {
    const info = this.params.taskInfo;
    this.streaming = this.params.executionMode === RuntimeExecutionMode.STREAMING;
    this.assigner = this.strategy.createTimestampAssigner();
    this.multiplexer = new WatermarkOutputMultiplexer(this.combined);
    this.splitsState = this.operatorStateBackend.getListState(
      new ListStateDescriptor<SourceSplit>('SourceReaderState'),
    );
    this.reader = this.source.createReader({
      subtaskIndex: info.indexOfThisSubtask,
      parallelism: info.numberOfParallelSubtasks,
      sendSplitRequest: () => this.coordinator.handleSplitRequest(info.indexOfThisSubtask),
    });
    await this.reader.start();
    const restored = [...this.splitsState.get()];
    if (restored.length > 0) this.reader.addSplits(restored);
    if (this.streaming && this.currentWatermark > this.lastEmitted) {
      // Restored: downstream inputs start over, and a quiet split may never produce a watermark
      // again, so re-announce the event time this source had reached (records read after the
      // checkpoint came after that watermark, so it still holds).
      this.lastEmitted = this.currentWatermark;
      this.output.emitWatermark(this.currentWatermark);
    }
    this.coordinator.registerReader(info.indexOfThisSubtask, this.reader);
    if (this.streaming && this.autoWatermarkInterval > 0 && !this.strategy.isNoWatermarks) {
      this.schedulePeriodicEmit();
    }
  }

  /** Emits what the reader has ready; called by the task loop. */
  emitNext(): InputStatus {
    return this.reader.pollNext(this);
  }

  isAvailable(): Promise<void> {
    return this.reader.isAvailable();
  }

  /** The reader is done: event time jumps to the end so every downstream timer fires. */
  endOfInput(): void {
    this.periodic?.cancel();
    this.periodic = undefined;
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    }
    if (this.lastEmitted !== MAX_WATERMARK) {
      this.lastEmitted = MAX_WATERMARK;
      this.processWatermark(MAX_WATERMARK);
    }
  }

  private schedulePeriodicEmit(): void {
    const pts = this.params.processingTimeService;
    this.periodic = pts.registerTimer(pts.getCurrentProcessingTime() + this.autoWatermarkInterval, () => {
      this.main?.generator.onPeriodicEmit(this.main.watermarks);
      for (const out of this.splitOutputs.values()) out.generator.onPeriodicEmit(out.watermarks);
      this.schedulePeriodicEmit();
    });
  }

  /** @internal */
  emitRecord(record: T, timestamp: number): void {
    this.output.collect(record, timestamp);
  }

  // ReaderOutput: the reader's main output.
  collect(record: T, timestamp?: number): void {
    (this.main ?? this.createMain()).collect(record, timestamp);
  }

  private createMain(): StampingOutput<T> {
    this.main = this.newStampingOutput(MAIN_OUTPUT);
    return this.main;
  }

  private newStampingOutput(id: string): StampingOutput<T> {
    const generator = this.strategy.createWatermarkGenerator({
      currentProcessingTime: () => this.params.processingTimeService.getCurrentProcessingTime(),
    });
    return new StampingOutput(this, generator, this.multiplexer.registerNewOutput(id));
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    let out = this.splitOutputs.get(splitId);
    if (!out) {
      out = this.newStampingOutput(splitId);
      this.splitOutputs.set(splitId, out);
    }
    return out;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.splitOutputs.delete(splitId)) this.multiplexer.unregisterOutput(splitId);
  }

  // The reader's main output also takes watermarks and idleness directly.
  emitWatermark(watermark: number): void {
    (this.main ?? this.createMain()).emitWatermark(watermark);
  }

  markIdle(): void {
    (this.main ?? this.createMain()).markIdle();
  }

  markActive(): void {
    (this.main ?? this.createMain()).markActive();
  }

  /** The combined (multiplexed) watermark of all outputs, towards downstream. */
  private readonly combined: WatermarkOutput = {
    emitWatermark: (watermark: number) => {
      if (!this.streaming || watermark <= this.lastEmitted) return;
      if (this.idle) this.combined.markActive();
      this.lastEmitted = watermark;
      this.processWatermark(watermark);
    },
    markIdle: () => {
      if (!this.streaming || this.idle) return;
      this.idle = true;
      this.output.emitWatermarkStatus(true);
    },
    markActive: () => {
      if (!this.streaming || !this.idle) return;
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    },
  };

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.splitsState.update(this.reader.snapshotState(checkpointId));
    return super.snapshotState(checkpointId);
  }

  /** Lets the reader commit its positions (e.g. Kafka offsets) once they are in a checkpoint. */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.reader?.notifyCheckpointComplete?.(checkpointId);
  }

  override async close(): Promise<void> {
    this.periodic?.cancel();
    try {
      await this.reader?.close();
    } finally {
      await super.close();
    }
  }
}
