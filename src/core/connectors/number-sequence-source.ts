import { IndexRangeSource } from './index-range-source.js';
import type { IndexRangeSourceReaderOptions } from './index-range-source-reader.js';
import type { ReaderOptions } from './reader-options.js';
import { Boundedness } from './source.js';

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
export class NumberSequenceSource extends IndexRangeSource<number> {
  protected readonly splitPrefix = 'sequence';

  constructor(
    readonly from: number,
    readonly to: number,
    private readonly options?: ReaderOptions,
  ) {
    super();
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      throw new RangeError(`NumberSequenceSource bounds must be safe integers, got ${from}..${to}`);
    }
    if (from > to) throw new RangeError(`NumberSequenceSource: 'from' (${from}) must be <= 'to' (${to})`);
  }

  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }

  protected indexRange(): readonly [number, number] {
    return [this.from, this.to + 1];
  }

  protected valueAt(index: number): number {
    return index;
  }

  protected override readerOptions(): IndexRangeSourceReaderOptions | undefined {
    return this.options;
  }
}
