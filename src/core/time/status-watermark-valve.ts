import type { WatermarkStatusOutput } from './watermark-status-output.js';

/** Per-channel state of the valve. */
class InputChannelStatus {
  watermark = Number.NEGATIVE_INFINITY;
  idle = false;
  finished = false;
  /**
   * Whether the channel takes part in the minimum: active, not finished, and its watermark not
   * behind the valve's output (a channel re-activated behind the output is held out until it
   * catches up, so the output never goes back).
   */
  aligned = true;
}

/**
 * Combines the watermarks and idleness of a task's input channels into the task's watermark
 * (Flink's `StatusWatermarkValve`).
 *
 * - A channel's watermark only moves forward; lower or equal inputs are ignored.
 * - The output watermark is the minimum over the aligned channels (active, not finished, not
 *   behind the output) and is emitted only when it advances.
 * - When all unfinished channels are idle the valve emits idle status, and keeps its watermark:
 *   it does not flush the maximum watermark across channels as newer Flink versions do.
 * - A channel that becomes active again makes the valve active; if its watermark is behind the
 *   last output watermark it does not count until it catches up.
 * - A finished channel no longer holds the minimum back. Finishing all channels changes nothing:
 *   upstream already sent `MAX_WATERMARK` before finishing.
 *
 * @example
 * ```ts
 * const valve = new StatusWatermarkValve(2, output);
 * valve.inputWatermark(10, 0);
 * valve.inputWatermark(7, 1);      // output.emitWatermark(7)
 * valve.inputWatermarkStatus(true, 1); // output.emitWatermark(10): channel 1 no longer counts
 * ```
 */
export class StatusWatermarkValve {
  private readonly channels: InputChannelStatus[];
  private lastOutputWatermark = Number.NEGATIVE_INFINITY;
  private idle = false;

  constructor(
    numChannels: number,
    private readonly output: WatermarkStatusOutput,
  ) {
    if (!Number.isInteger(numChannels) || numChannels < 1) {
      throw new Error(`numChannels must be a positive integer, got ${numChannels}`);
    }
    this.channels = [];
    for (let i = 0; i < numChannels; i++) this.channels.push(new InputChannelStatus());
  }

  /**
   * Starts every channel, and the output, at `watermark` without emitting it: after a restore the
   * operator behind the valve already has this event time (every channel was at least there when
   * the snapshot was taken), so upstream tasks re-sending watermarks up to it must neither hold the
   * minimum at -∞ nor be forwarded again.
   *
   * @example
   * ```ts
   * valve.initializeWatermark(restoredWatermark);
   * ```
   */
  initializeWatermark(watermark: number): void {
    for (const channel of this.channels) if (channel.watermark < watermark) channel.watermark = watermark;
    if (this.lastOutputWatermark < watermark) this.lastOutputWatermark = watermark;
  }

  /** Feeds a watermark received on `channelIndex`. Ignored while the channel is idle or finished. */
  inputWatermark(watermark: number, channelIndex: number): void {
    const channel = this.channel(channelIndex);
    // An idle channel must announce activity first (upstream outputs do so before a watermark).
    if (channel.idle || channel.finished || !(watermark > channel.watermark)) return;
    channel.watermark = watermark;
    if (!channel.aligned) {
      // Behind the output since re-activation: it only counts once it has caught up.
      if (watermark < this.lastOutputWatermark) return;
      channel.aligned = true;
    }
    this.findAndOutputNewMinWatermark();
  }

  /** Feeds a watermark status (`idle = true` for idle) received on `channelIndex`. */
  inputWatermarkStatus(idle: boolean, channelIndex: number): void {
    const channel = this.channel(channelIndex);
    if (channel.finished || channel.idle === idle) return;
    if (idle) {
      channel.idle = true;
      channel.aligned = false;
      if (!this.hasActiveChannels()) {
        // No flush of the maximum watermark: the output keeps the minimum of the last active ones.
        this.idle = true;
        this.output.emitWatermarkStatus(true);
      } else {
        // This channel may have held the minimum; the remaining ones may allow a higher one.
        this.findAndOutputNewMinWatermark();
      }
    } else {
      channel.idle = false;
      channel.aligned = channel.watermark >= this.lastOutputWatermark;
      if (this.idle) {
        this.idle = false;
        this.output.emitWatermarkStatus(false);
      }
      // A channel re-activated ahead of the output may be the only active one: its watermark is the
      // new minimum (Flink would wait for the channel's next watermark).
      if (channel.aligned) this.findAndOutputNewMinWatermark();
    }
  }

  /**
   * The channel ended (end of partition): it no longer holds the minimum back, and later inputs on
   * it are ignored. If the remaining channels are all idle the valve becomes idle.
   */
  channelFinished(channelIndex: number): void {
    const channel = this.channel(channelIndex);
    if (channel.finished) return;
    channel.finished = true;
    channel.aligned = false;
    if (this.channels.every((c) => c.finished)) return;
    if (!this.hasActiveChannels()) {
      if (!this.idle) {
        this.idle = true;
        this.output.emitWatermarkStatus(true);
      }
    } else {
      this.findAndOutputNewMinWatermark();
    }
  }

  /** The last watermark emitted (`-Infinity` before the first). */
  getCurrentWatermark(): number {
    return this.lastOutputWatermark;
  }

  /** Whether the valve last emitted idle status. */
  isIdle(): boolean {
    return this.idle;
  }

  /** The watermark last received on a channel (for metrics and tests). */
  getChannelWatermark(channelIndex: number): number {
    return this.channel(channelIndex).watermark;
  }

  /** Number of input channels. */
  get numChannels(): number {
    return this.channels.length;
  }

  private channel(channelIndex: number): InputChannelStatus {
    const channel = this.channels[channelIndex];
    if (channel === undefined) {
      throw new RangeError(`channel index ${channelIndex} out of range [0, ${this.channels.length})`);
    }
    return channel;
  }

  private hasActiveChannels(): boolean {
    const channels = this.channels;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i]!;
      if (!c.idle && !c.finished) return true;
    }
    return false;
  }

  private findAndOutputNewMinWatermark(): void {
    const channels = this.channels;
    let min = Number.POSITIVE_INFINITY;
    let hasAligned = false;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i]!;
      if (c.aligned) {
        hasAligned = true;
        if (c.watermark < min) min = c.watermark;
      }
    }
    // Only an aggregate of some aligned channel counts; `+Infinity` from an empty set must not.
    if (hasAligned && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.output.emitWatermark(min);
    }
  }
}
