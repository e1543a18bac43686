import { IndexRangeSource } from './index-range-source.js';
import type { IndexRangeSourceReaderOptions } from './index-range-source-reader.js';
import { RateLimiter } from './rate-limiter.js';
import type { ReaderOptions } from './reader-options.js';
import { Boundedness, type SourceReaderContext } from './source.js';

/** Options of {@link DataGeneratorSource}. */
export interface DataGeneratorSourceOptions extends ReaderOptions {
  /**
   * Upper bound on records per second for the whole source, shared evenly by its parallel readers
   * (each gets `recordsPerSecond / parallelism`). Unlimited when absent.
   */
  readonly recordsPerSecond?: number;
}

/**
 * Emits `generator(index)` for `index = 0 .. count - 1` (Flink's `DataGeneratorSource`), optionally
 * rate-limited. `count = Infinity` makes it unbounded.
 *
 * With parallelism `p` the indexes are cut into `p` contiguous ranges, one per reader; an unbounded
 * source cuts `0 .. Number.MAX_SAFE_INTEGER` the same way (as Flink cuts `Long.MAX_VALUE`), so with
 * `p > 1` the readers other than the first start at very large indexes. The generator must be a
 * pure function of the index for a restored job to reproduce the same records.
 *
 * @example
 * ```ts
 * const orders = new DataGeneratorSource((i) => ({ id: i, amount: i % 100 }), Infinity, { recordsPerSecond: 500 });
 * env.fromSource(orders, WatermarkStrategy.noWatermarks(), 'orders');
 * ```
 */
export class DataGeneratorSource<T> extends IndexRangeSource<T> {
  protected readonly splitPrefix = 'generator';

  constructor(
    private readonly generator: (index: number) => T,
    readonly count: number,
    private readonly options?: DataGeneratorSourceOptions,
  ) {
    super();
    if (count !== Number.POSITIVE_INFINITY && !(Number.isSafeInteger(count) && count >= 0)) {
      throw new RangeError(
        `DataGeneratorSource count must be a non-negative safe integer or Infinity, got ${count}`,
      );
    }
    const rate = options?.recordsPerSecond;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
      throw new RangeError(`recordsPerSecond must be a positive finite number, got ${rate}`);
    }
  }

  getBoundedness(): Boundedness {
    return this.count === Number.POSITIVE_INFINITY ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
  }

  protected indexRange(): readonly [number, number] {
    return [0, this.count === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : this.count];
  }

  protected valueAt(index: number): T {
    return this.generator(index);
  }

  /** The total rate is shared evenly by the parallel readers. */
  protected override readerOptions(context: SourceReaderContext): IndexRangeSourceReaderOptions {
    const rate = this.options?.recordsPerSecond;
    return {
      maxRecordsPerPoll: this.options?.maxRecordsPerPoll,
      rateLimiter: rate === undefined ? undefined : new RateLimiter(rate / Math.max(1, context.parallelism)),
    };
  }
}
