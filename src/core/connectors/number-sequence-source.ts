import { IndexRangeSourceReader } from './index-range-source-reader.js';
import { type IndexRangeSplit, splitIndexRange } from './index-range-split.js';
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

const identity = (index: number): number => index;

/**
 * A bounded source of the integers `from..to`, both inclusive (Flink's `NumberSequenceSource`).
 * With parallelism `p` the sequence is cut into `p` contiguous ranges, one per reader, each emitted
 * in ascending order. Bounds must be safe integers (`Number.MIN_SAFE_INTEGER..MAX_SAFE_INTEGER`).
 *
 * @example
 * ```ts
 * env.fromSource(new NumberSequenceSource(1, 1000), WatermarkStrategy.noWatermarks(), 'numbers');
 * ```
 */
export class NumberSequenceSource implements Source<number, IndexRangeSplit, IndexRangeSplit[]> {
  constructor(
    readonly from: number,
    readonly to: number,
    private readonly options?: ReaderOptions,
  ) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      throw new RangeError(`NumberSequenceSource bounds must be safe integers, got ${from}..${to}`);
    }
    if (from > to) throw new RangeError(`NumberSequenceSource: 'from' (${from}) must be <= 'to' (${to})`);
  }

  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }

  createEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(
      context,
      splitIndexRange('sequence', this.from, this.to + 1, context.currentParallelism()),
    );
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
    state: IndexRangeSplit[],
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<number, IndexRangeSplit> {
    return new IndexRangeSourceReader(context, identity, this.options);
  }
}
