import type { IndexRangeSourceReaderOptions } from './index-range-source-reader.js';
import { IndexRangeSourceReader } from './index-range-source-reader.js';
import { type IndexRangeSplit, splitIndexRange } from './index-range-split.js';
import type {
  Boundedness,
  Source,
  SourceReader,
  SourceReaderContext,
  SplitEnumerator,
  SplitEnumeratorContext,
} from './source.js';
import { StaticSplitEnumerator } from './static-split-enumerator.js';

/**
 * A source whose records are a function of an index range `[start, end)`: cut into one contiguous
 * split per reader, read in order, positions snapshotted as the next index. The element, sequence
 * and generator sources are this with different ranges and element functions.
 */
export abstract class IndexRangeSource<T> implements Source<T, IndexRangeSplit, IndexRangeSplit[]> {
  /** Prefix of the split ids, e.g. `sequence`. */
  protected abstract readonly splitPrefix: string;

  abstract getBoundedness(): Boundedness;

  /** The indexes to emit, `[start, end)`. */
  protected abstract indexRange(): readonly [start: number, end: number];

  /** The record at an index. */
  protected abstract valueAt(index: number): T;

  /** Reader settings (poll batch size, rate limit) for a reader of `parallelism` readers. */
  protected readerOptions(_context: SourceReaderContext): IndexRangeSourceReaderOptions | undefined {
    return undefined;
  }

  createEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    const [start, end] = this.indexRange();
    return new StaticSplitEnumerator(
      context,
      splitIndexRange(this.splitPrefix, start, end, context.currentParallelism()),
    );
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
    state: IndexRangeSplit[],
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, IndexRangeSplit> {
    return new IndexRangeSourceReader(context, (index) => this.valueAt(index), this.readerOptions(context));
  }
}
