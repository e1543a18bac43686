import { IndexRangeSourceReader } from './index-range-source-reader.js';
import { type IndexRangeSplit, splitIndexRange } from './index-range-split.js';
import { RateLimiter } from './rate-limiter.js';
import type { ReaderOptions } from './reader-options.js';
import {
  Boundedness,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from './source.js';
import { StaticSplitEnumerator } from './static-split-enumerator.js';

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
export class DataGeneratorSource<T> implements Source<T, IndexRangeSplit, IndexRangeSplit[]> {
  constructor(
    private readonly generator: (index: number) => T,
    readonly count: number,
    private readonly options?: DataGeneratorSourceOptions,
  ) {
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

  createEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    const end = this.count === Number.POSITIVE_INFINITY ? Number.MAX_SAFE_INTEGER : this.count;
    return new StaticSplitEnumerator(
      context,
      splitIndexRange('generator', 0, end, context.currentParallelism()),
    );
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
    state: IndexRangeSplit[],
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, IndexRangeSplit> {
    const rate = this.options?.recordsPerSecond;
    const rateLimiter =
      rate === undefined ? undefined : new RateLimiter(rate / Math.max(1, context.parallelism));
    return new IndexRangeSourceReader(context, this.generator, {
      maxRecordsPerPoll: this.options?.maxRecordsPerPoll,
      rateLimiter,
    });
  }
}
