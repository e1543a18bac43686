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

/**
 * A bounded source over a fixed list of elements (Flink's `fromElements` / `fromCollection`).
 *
 * With parallelism `p` the list is cut into `p` contiguous ranges, one per reader, so each reader
 * emits its range in list order; across readers the order is up to the downstream exchange. A
 * snapshot holds only index ranges and positions; the elements themselves live in the source
 * object, so a restored job must be built with the same elements.
 *
 * @example
 * ```ts
 * const words = env.fromSource(new FromElementsSource(['a', 'b', 'c']), WatermarkStrategy.noWatermarks(), 'words');
 * const same = FromElementsSource.of('a', 'b', 'c');
 * ```
 */
export class FromElementsSource<T> implements Source<T, IndexRangeSplit, IndexRangeSplit[]> {
  /** A copy, so that changing the caller's array after job creation changes nothing. */
  readonly elements: readonly T[];

  constructor(
    elements: Iterable<T>,
    private readonly options?: ReaderOptions,
  ) {
    this.elements = Array.from(elements);
  }

  /** `new FromElementsSource([...elements])`. */
  static of<T>(...elements: T[]): FromElementsSource<T> {
    return new FromElementsSource(elements);
  }

  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }

  createEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(
      context,
      splitIndexRange('elements', 0, this.elements.length, context.currentParallelism()),
    );
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<IndexRangeSplit>,
    state: IndexRangeSplit[],
  ): SplitEnumerator<IndexRangeSplit, IndexRangeSplit[]> {
    return new StaticSplitEnumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, IndexRangeSplit> {
    const elements = this.elements;
    return new IndexRangeSourceReader(context, (index) => elements[index], this.options);
  }
}
