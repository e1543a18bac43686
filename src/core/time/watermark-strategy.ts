import { AscendingTimestampsWatermarks } from './ascending-timestamps-watermarks.js';
import { BoundedOutOfOrdernessWatermarks } from './bounded-out-of-orderness-watermarks.js';
import { NoWatermarksGenerator } from './no-watermarks-generator.js';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
} from './watermark-generator.js';
import { WatermarksWithIdleness } from './watermarks-with-idleness.js';

/** Creates a fresh generator per parallel source instance (or per split). */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorContext) => WatermarkGenerator<T>;

/** Flink's `TimestampAssigner` interface form, accepted next to the plain function form. */
export interface TimestampAssignerObject<T> {
  extractTimestamp(element: T, recordTimestamp: number): number;
}

/** Returns the timestamp the source attached to the record (Flink's `RecordTimestampAssigner`). */
function recordTimestampAssigner(_element: unknown, recordTimestamp: number): number {
  return recordTimestamp;
}

/**
 * How a stream gets event timestamps and watermarks: a timestamp assigner plus a watermark
 * generator factory, optionally with idleness detection (Flink's `WatermarkStrategy`).
 * Strategies are immutable: every `with*` returns a new strategy, so a base strategy can be shared.
 *
 * The runtime calls each generator's `onEvent` for every record and `onPeriodicEmit` every
 * `autoWatermarkInterval` of processing time, whatever the generator: periodic generators emit in
 * `onPeriodicEmit`, punctuated ones in `onEvent` (their `onPeriodicEmit` is a no-op). Only
 * {@link WatermarkStrategy.noWatermarks} strategies ({@link isNoWatermarks}) may skip both.
 *
 * @example
 * ```ts
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000)
 *   .withTimestampAssigner((click) => click.at)
 *   .withIdleness(60_000);
 * env.fromSource(source, strategy, 'clicks');
 * ```
 */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly generatorSupplier: WatermarkGeneratorSupplier<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    /** Idle timeout in ms, or `undefined` when idleness is not detected. */
    readonly idleTimeoutMs: number | undefined,
    private readonly noWatermarksBase: boolean,
  ) {}

  /**
   * For timestamps that never decrease: the watermark trails the largest timestamp seen by 1 ms.
   *
   * @example
   * ```ts
   * WatermarkStrategy.forMonotonousTimestamps<Tick>().withTimestampAssigner((t) => t.time);
   * ```
   */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(
      () => new AscendingTimestampsWatermarks<T>(),
      undefined,
      undefined,
      false,
    );
  }

  /**
   * For events at most `maxOutOfOrdernessMs` late: the watermark is the largest timestamp seen
   * minus `maxOutOfOrdernessMs` minus 1.
   */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    // Validate now rather than when the first generator is created inside a running task.
    if (!(maxOutOfOrdernessMs >= 0) || !Number.isFinite(maxOutOfOrdernessMs)) {
      throw new Error(`maxOutOfOrdernessMs must be a finite number >= 0, got ${maxOutOfOrdernessMs}`);
    }
    return new WatermarkStrategy<T>(
      () => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs),
      undefined,
      undefined,
      false,
    );
  }

  /**
   * A custom generator; `supplier` is called once per parallel instance (and per split when the
   * source emits per-split watermarks), so generators may keep state.
   *
   * @example
   * ```ts
   * // punctuated: a watermark right after every marker event
   * WatermarkStrategy.forGenerator<Ev>(() => ({
   *   onEvent: (e, ts, out) => { if (e.isMarker) out.emitWatermark(ts); },
   *   onPeriodicEmit: () => {},
   * }));
   * ```
   */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(supplier, undefined, undefined, false);
  }

  /** No watermarks at all: for processing-time pipelines. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined, true);
  }

  /**
   * Extracts event timestamps from the elements instead of using the source's record timestamps.
   * Accepts a function or Flink's object form with `extractTimestamp`.
   */
  withTimestampAssigner(assigner: TimestampAssigner<T> | TimestampAssignerObject<T>): WatermarkStrategy<T> {
    // Normalize once here so the per-record path is a single function call.
    const fn: TimestampAssigner<T> =
      typeof assigner === 'function' ? assigner : assigner.extractTimestamp.bind(assigner);
    return new WatermarkStrategy<T>(this.generatorSupplier, fn, this.idleTimeoutMs, this.noWatermarksBase);
  }

  /**
   * Marks an input idle after `timeoutMs` of processing time without events, so it stops holding
   * back the watermark of operators that consume several inputs; its next event makes it active.
   */
  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    if (!(timeoutMs > 0)) throw new Error(`idle timeout must be > 0 ms, got ${timeoutMs}`);
    return new WatermarkStrategy<T>(this.generatorSupplier, this.assigner, timeoutMs, this.noWatermarksBase);
  }

  /** A new generator for one parallel instance (or one split). */
  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const generator = this.generatorSupplier(context);
    return this.idleTimeoutMs === undefined
      ? generator
      : new WatermarksWithIdleness<T>(generator, this.idleTimeoutMs, context);
  }

  /** The timestamp assigner; by default the record's own timestamp as the source gave it. */
  createTimestampAssigner(): TimestampAssigner<T> {
    return this.assigner ?? recordTimestampAssigner;
  }

  /** Whether a timestamp assigner was configured (otherwise source timestamps are kept as they are). */
  hasTimestampAssigner(): boolean {
    return this.assigner !== undefined;
  }

  /**
   * True when the strategy can emit neither watermarks nor idleness: a plain
   * {@link WatermarkStrategy.noWatermarks}. The runtime may then skip generator calls and periodic
   * emission altogether. With {@link withIdleness} the input can still go idle, so this is false.
   */
  get isNoWatermarks(): boolean {
    return this.noWatermarksBase && this.idleTimeoutMs === undefined;
  }
}
