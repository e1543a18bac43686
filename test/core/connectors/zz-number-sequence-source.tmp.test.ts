import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumberSequenceSource } from '../../../src/core/connectors/number-sequence-source.js';
import { Boundedness } from '../../../src/core/connectors/source.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('NumberSequenceSource', () => {
  it('is bounded and checks its bounds', () => {
    expect(new NumberSequenceSource(0, 0).getBoundedness()).toBe(Boundedness.BOUNDED);
    expect(() => new NumberSequenceSource(2, 1)).toThrow(RangeError);
    expect(() => new NumberSequenceSource(0, 1.5)).toThrow(RangeError);
    expect(() => new NumberSequenceSource(0, 2 ** 53)).toThrow(RangeError);
  });

  it('emits from..to inclusive at parallelism 1', async () => {
    expect(await SourceHarness.run(new NumberSequenceSource(1, 1000), { parallelism: 1 })).toEqual([
      range(1, 1000),
    ]);
    expect(await SourceHarness.run(new NumberSequenceSource(-3, -3), { parallelism: 1 })).toEqual([[-3]]);
  });

  it('cuts the sequence into ascending contiguous ranges at parallelism 3', async () => {
    const perReader = await SourceHarness.run(new NumberSequenceSource(0, 9), { parallelism: 3 });
    expect(perReader).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const big = await SourceHarness.run(new NumberSequenceSource(1, 10_000), { parallelism: 3 });
    expect(big.flat().sort((a, b) => a - b)).toEqual(range(1, 10_000));
  });

  it('handles the ends of the safe integer range', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(
      (await SourceHarness.run(new NumberSequenceSource(max - 2, max), { parallelism: 2 })).flat(),
    ).toEqual([max - 2, max - 1, max]);
  });

  it('resumes from a snapshot at any point with exactly the remaining numbers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom('flink' as const, 'runtime' as const),
        async (
          from,
          length,
          parallelism,
          restoreParallelism,
          cutAfterPolls,
          maxRecordsPerPoll,
          readerStartOrder,
        ) => {
          const to = from + length;
          const source = new NumberSequenceSource(from, to, { maxRecordsPerPoll });
          const { before, after, snapshot } = await runWithRestore(source, {
            parallelism,
            cutAfterPolls,
            restoreParallelism,
            readerStartOrder,
          });
          const all = [...before.flat(), ...after.flat()].sort((a, b) => a - b);
          expect(all).toEqual(range(from, to));
          // positions are plain numbers inside the split ranges
          for (const split of snapshot.readers.flat()) {
            expect(split.position).toBeGreaterThanOrEqual(split.start);
            expect(split.position).toBeLessThan(split.end);
          }
          if (restoreParallelism === parallelism) {
            for (const values of [...before, ...after])
              expect(values).toEqual([...values].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
