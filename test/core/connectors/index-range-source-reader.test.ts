import { describe, expect, it } from 'vitest';
import { IndexRangeSourceReader } from '../../../src/core/connectors/index-range-source-reader.js';
import { type IndexRangeSplit, splitIndexRange } from '../../../src/core/connectors/index-range-split.js';
import {
  Boundedness,
  type Source,
  type SourceReaderContext,
  type SplitEnumeratorContext,
} from '../../../src/core/connectors/source.js';
import { StaticSplitEnumerator } from '../../../src/core/connectors/static-split-enumerator.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

/** Squares of 0..n-1 in many small splits, handed out on request. */
class PulledSquares implements Source<number, IndexRangeSplit, IndexRangeSplit[]> {
  constructor(private readonly n: number) {}
  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }
  createEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>) {
    return new StaticSplitEnumerator(context, splitIndexRange('sq', 0, this.n, 10), {
      assignment: 'on-request',
    });
  }
  restoreEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, state: IndexRangeSplit[]) {
    return new StaticSplitEnumerator(context, state, { assignment: 'on-request' });
  }
  createReader(context: SourceReaderContext) {
    return new IndexRangeSourceReader(context, (i) => i * i, { requestSplits: true, maxRecordsPerPoll: 3 });
  }
}

const squares = (n: number) => Array.from({ length: n }, (_, i) => i * i);

describe('splitIndexRange', () => {
  it('cuts a range into near-equal contiguous parts and leaves out empty ones', () => {
    expect(splitIndexRange('r', 0, 10, 3).map((s) => [s.start, s.end])).toEqual([
      [0, 4],
      [4, 7],
      [7, 10],
    ]);
    expect(splitIndexRange('r', 5, 7, 4).map((s) => [s.start, s.end, s.position])).toEqual([
      [5, 6, 5],
      [6, 7, 6],
    ]);
    expect(splitIndexRange('r', 3, 3, 2)).toEqual([]);
    expect(splitIndexRange('r', 0, 4, 2).map((s) => s.splitId)).toEqual(['r-0', 'r-1']);
  });
});

describe('IndexRangeSourceReader with on-request splits', () => {
  it('pulls splits until none are left, at parallelism 1 and 3, delivered sync or async', async () => {
    for (const deliverSync of [false, true]) {
      expect(
        (await SourceHarness.run(new PulledSquares(95), { parallelism: 1, deliverSync })).flat(),
      ).toEqual(squares(95));
      const perReader = await SourceHarness.run(new PulledSquares(95), { parallelism: 3, deliverSync });
      expect(perReader.flat().sort((a, b) => a - b)).toEqual(squares(95));
    }
  });

  it('reads restored splits before requesting new ones, whatever the start-up order', async () => {
    for (const readerStartOrder of ['flink', 'runtime'] as const) {
      for (let cut = 0; cut < 40; cut += 3) {
        const { before, after, snapshot } = await runWithRestore(new PulledSquares(50), {
          parallelism: 1,
          cutAfterPolls: cut,
          readerStartOrder,
        });
        expect([...before[0], ...after[0]]).toEqual(squares(50));
        expect(snapshot.enumerator.length + snapshot.readers[0].length).toBeLessThanOrEqual(10);
      }
    }
  });
});
