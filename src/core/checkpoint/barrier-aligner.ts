import type { CheckpointBarrier } from './checkpoint-barrier.js';

/**
 * Exactly-once barrier alignment of one task's input channels (Flink's
 * `SingleCheckpointBarrierHandler` in aligned mode). Once a channel delivered the barrier of a
 * checkpoint it is blocked: its later records belong to the next checkpoint and must wait until the
 * barrier arrived on every other channel, else they would leak into this checkpoint's state. A
 * finished channel (end of partition) counts as aligned: its producer ended before the barrier.
 *
 * @example
 * ```ts
 * const aligner = new BarrierAligner<Channel>(channels.length);
 * const done = aligner.onBarrier(channel, barrier); // the barrier once aligned, else undefined
 * if (aligner.isBlocked(channel)) ... // skip the channel
 * ```
 */
export class BarrierAligner<C> {
  private readonly blocked = new Set<C>();
  private readonly finished = new Set<C>();
  private current: CheckpointBarrier | undefined;

  constructor(private readonly channelCount: number) {}

  /** True while some channel waits for the others. */
  get aligning(): boolean {
    return this.current !== undefined;
  }

  isBlocked(channel: C): boolean {
    return this.blocked.has(channel);
  }

  /** A barrier arrived on `channel`; returns it once every channel delivered it. */
  onBarrier(channel: C, barrier: CheckpointBarrier): CheckpointBarrier | undefined {
    const current = this.current;
    if (current !== undefined && barrier.checkpointId !== current.checkpointId) {
      if (barrier.checkpointId < current.checkpointId) return undefined;
      // A newer checkpoint overtook an alignment that cannot finish any more (its barrier was
      // dropped upstream): give the older one up, as Flink does.
      this.blocked.clear();
    }
    this.current = barrier;
    this.blocked.add(channel);
    return this.check();
  }

  /** `channel` ended; returns the pending barrier if that completes the alignment. */
  onChannelFinished(channel: C): CheckpointBarrier | undefined {
    this.finished.add(channel);
    return this.current === undefined ? undefined : this.check();
  }

  private check(): CheckpointBarrier | undefined {
    if (this.blocked.size + this.finished.size < this.channelCount) return undefined;
    const barrier = this.current;
    this.current = undefined;
    this.blocked.clear();
    return barrier;
  }
}
