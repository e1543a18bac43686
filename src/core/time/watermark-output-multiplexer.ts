import type { WatermarkOutput } from './watermark-generator.js';

/** One registered output's watermark and idleness, plus its two views. */
class PartialOutput {
  watermark = Number.NEGATIVE_INFINITY;
  idle = false;
  readonly immediate: WatermarkOutput;
  readonly deferred: WatermarkOutput;

  constructor(multiplexer: WatermarkOutputMultiplexer) {
    this.immediate = new ImmediateOutput(this, multiplexer);
    this.deferred = new DeferredOutput(this);
  }

  setWatermark(watermark: number): void {
    // Emitting a watermark is activity, like in Flink's OutputState.
    this.idle = false;
    if (watermark > this.watermark) this.watermark = watermark;
  }
}

/** Updates the combined watermark on every call: for watermarks emitted from `onEvent`. */
class ImmediateOutput implements WatermarkOutput {
  constructor(
    private readonly state: PartialOutput,
    private readonly multiplexer: WatermarkOutputMultiplexer,
  ) {}

  emitWatermark(watermark: number): void {
    this.state.setWatermark(watermark);
    this.multiplexer.updateCombinedWatermark();
  }

  markIdle(): void {
    this.state.idle = true;
    this.multiplexer.updateCombinedWatermark();
  }

  markActive(): void {
    this.state.idle = false;
    this.multiplexer.updateCombinedWatermark();
  }
}

/**
 * Only records the partial state; the combined watermark is computed once in
 * {@link WatermarkOutputMultiplexer.onPeriodicEmit} after all splits' periodic emits, instead of
 * once per split.
 */
class DeferredOutput implements WatermarkOutput {
  constructor(private readonly state: PartialOutput) {}

  emitWatermark(watermark: number): void {
    this.state.setWatermark(watermark);
  }

  markIdle(): void {
    this.state.idle = true;
  }

  markActive(): void {
    this.state.idle = false;
  }
}

/**
 * Combines the watermarks of several outputs (one per source split, e.g. per Kafka partition) into
 * one underlying output (Flink's `WatermarkOutputMultiplexer`): the combined watermark is the
 * minimum over the outputs that are not idle, and is emitted only when it advances. When every
 * output is idle the underlying output is marked idle; when one becomes active again it is marked
 * active.
 *
 * Each output has an immediate view (updates the combined watermark on every call, for
 * `onEvent`) and a deferred view (updates it on {@link onPeriodicEmit}, for `onPeriodicEmit`).
 *
 * @example
 * ```ts
 * const mux = new WatermarkOutputMultiplexer(new WatermarkToDataOutput(output));
 * const p0 = mux.registerNewOutput('partition-0');
 * const p1 = mux.registerNewOutput('partition-1');
 * p0.emitWatermark(10);
 * p1.emitWatermark(7); // underlying gets 7
 * p1.markIdle();       // underlying gets 10
 * ```
 */
export class WatermarkOutputMultiplexer {
  private readonly outputsById = new Map<string, PartialOutput>();
  /** Same outputs as an array: the combined watermark is computed often, iterating a Map is slower. */
  private outputs: PartialOutput[] = [];
  private combinedWatermark = Number.NEGATIVE_INFINITY;
  private underlyingIdle = false;

  constructor(private readonly underlying: WatermarkOutput) {}

  /**
   * Registers an output under `id` and returns its immediate view. Throws if `id` is registered.
   * A new output starts active at the minimum watermark, so it holds the combined watermark back
   * until it emits one (or goes idle).
   */
  registerNewOutput(id: string): WatermarkOutput {
    if (this.outputsById.has(id)) throw new Error(`Already contains an output for ID ${id}`);
    const output = new PartialOutput(this);
    this.outputsById.set(id, output);
    this.outputs.push(output);
    return output.immediate;
  }

  /**
   * Removes an output; it no longer holds the combined watermark back, which may advance at once.
   * Returns whether the output was registered.
   */
  unregisterOutput(id: string): boolean {
    const output = this.outputsById.get(id);
    if (output === undefined) return false;
    this.outputsById.delete(id);
    this.outputs = this.outputs.filter((o) => o !== output);
    // Flink waits for the next update; releasing a finished split's hold right away is safe.
    this.updateCombinedWatermark();
    return true;
  }

  /** The view of `id` that updates the combined watermark on each call. */
  getImmediateOutput(id: string): WatermarkOutput {
    return this.get(id).immediate;
  }

  /** The view of `id` that only records; the combined watermark follows on {@link onPeriodicEmit}. */
  getDeferredOutput(id: string): WatermarkOutput {
    return this.get(id).deferred;
  }

  /** Recomputes the combined watermark after the deferred outputs have been written. */
  onPeriodicEmit(): void {
    this.updateCombinedWatermark();
  }

  /** The last combined watermark emitted (`-Infinity` before the first). */
  getCombinedWatermark(): number {
    return this.combinedWatermark;
  }

  /** Whether every registered output is idle (and the underlying output was marked idle). */
  isIdle(): boolean {
    return this.underlyingIdle;
  }

  /** @internal called by the immediate outputs. */
  updateCombinedWatermark(): void {
    const outputs = this.outputs;
    // No outputs (e.g. no splits assigned yet): nothing is known, keep the current state.
    if (outputs.length === 0) return;
    let min = Number.POSITIVE_INFINITY;
    let allIdle = true;
    for (let i = 0; i < outputs.length; i++) {
      const o = outputs[i]!;
      if (!o.idle) {
        allIdle = false;
        if (o.watermark < min) min = o.watermark;
      }
    }
    if (allIdle) {
      if (!this.underlyingIdle) {
        this.underlyingIdle = true;
        this.underlying.markIdle();
      }
      return;
    }
    if (this.underlyingIdle) {
      this.underlyingIdle = false;
      this.underlying.markActive();
    }
    if (min > this.combinedWatermark) {
      this.combinedWatermark = min;
      this.underlying.emitWatermark(min);
    }
  }

  private get(id: string): PartialOutput {
    const output = this.outputsById.get(id);
    if (output === undefined) throw new Error(`No output registered under ID ${id}`);
    return output;
  }
}
