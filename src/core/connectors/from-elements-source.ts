import { IndexRangeSource } from './index-range-source.js';
import type { IndexRangeSourceReaderOptions } from './index-range-source-reader.js';
import type { ReaderOptions } from './reader-options.js';
import { Boundedness } from './source.js';

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
export class FromElementsSource<T> extends IndexRangeSource<T> {
  protected readonly splitPrefix = 'elements';
  /** A copy, so that changing the caller's array after job creation changes nothing. */
  readonly elements: readonly T[];

  constructor(
    elements: Iterable<T>,
    private readonly options?: ReaderOptions,
  ) {
    super();
    this.elements = Array.from(elements);
  }

  /** `new FromElementsSource([...elements])`. */
  static of<T>(...elements: T[]): FromElementsSource<T> {
    return new FromElementsSource(elements);
  }

  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }

  protected indexRange(): readonly [number, number] {
    return [0, this.elements.length];
  }

  protected valueAt(index: number): T {
    return this.elements[index]!;
  }

  protected override readerOptions(): IndexRangeSourceReaderOptions | undefined {
    return this.options;
  }
}
