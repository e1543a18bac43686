import { StatusWatermarkValve } from '../time/status-watermark-valve.js';
import type { Channel } from './channel.js';

/** The channels feeding one logical input of a task, and the watermark valve over them. */
export class InputGate {
  readonly valve: StatusWatermarkValve;
  finishedChannels = 0;

  constructor(
    readonly channels: Channel[],
    onWatermark: (watermark: number) => void,
    onStatus: (idle: boolean) => void,
  ) {
    this.valve = new StatusWatermarkValve(channels.length, {
      emitWatermark: onWatermark,
      emitWatermarkStatus: onStatus,
    });
  }

  isFinished(): boolean {
    return this.finishedChannels === this.channels.length;
  }
}
