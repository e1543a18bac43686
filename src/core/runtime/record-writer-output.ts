import type { CheckpointBarrier } from '../checkpoint/checkpoint-barrier.js';
import { type Channel, ElementKind } from './channel.js';
import type { Output } from './output.js';
import type { StreamPartitioner } from './partitioners/stream-partitioner.js';

/** Writes one operator output into the channels of an exchange, choosing them with a partitioner. */
export class RecordWriterOutput<T> implements Output<T> {
  private readonly single: Channel | undefined;

  constructor(
    readonly channels: readonly Channel[],
    private readonly partitioner: StreamPartitioner<T>,
  ) {
    this.single = channels.length === 1 && !partitioner.broadcast ? channels[0] : undefined;
  }

  collect(value: T, timestamp: number): void {
    if (this.single) {
      this.single.push(ElementKind.RECORD, value, timestamp);
    } else if (this.partitioner.broadcast) {
      for (const c of this.channels) c.push(ElementKind.RECORD, value, timestamp);
    } else {
      this.channels[this.partitioner.selectChannel(value)]!.push(ElementKind.RECORD, value, timestamp);
    }
  }

  collectSide(): void {
    // The RoutingOutput in front of this writer already picked the side output.
  }

  emitWatermark(watermark: number): void {
    for (const c of this.channels) c.push(ElementKind.WATERMARK, undefined, watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    for (const c of this.channels) c.push(ElementKind.WATERMARK_STATUS, idle, 0);
  }

  /** Sends a checkpoint barrier on every channel, behind the records already written. */
  emitBarrier(barrier: CheckpointBarrier): void {
    for (const c of this.channels) c.push(ElementKind.BARRIER, barrier, 0);
  }

  endOfPartition(): void {
    for (const c of this.channels) c.push(ElementKind.END_OF_PARTITION, undefined, 0);
  }
}
