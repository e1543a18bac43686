import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataGeneratorSource } from '../../../src/core/connectors/data-generator-source.js';
import { Boundedness, InputStatus } from '../../../src/core/connectors/source.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

const event = (i: number) => ({ id: i, key: `k${i % 3}` });

describe('DataGeneratorSource', () => {
  it('is bounded for a finite count and unbounded for Infinity', () => {
    expect(new DataGeneratorSource(event, 10).getBoundedness()).toBe(Boundedness.BOUNDED);
    expect(new DataGeneratorSource(event, Number.POSITIVE_INFINITY).getBoundedness()).toBe(
      Boundedness.CONTINUOUS_UNBOUNDED,
    );
    expect(() => new DataGeneratorSource(event, -1)).toThrow(RangeError);
    expect(() => new DataGeneratorSource(event, 1.5)).toThrow(RangeError);
    expect(() => new DataGeneratorSource(event, 1, { recordsPerSecond: 0 })).toThrow(RangeError);
  });

  it('generates indexes 0..count-1 once each at parallelism 1 and 3', async () => {
    const expected = Array.from({ length: 100 }, (_, i) => event(i));
    expect(await SourceHarness.run(new DataGeneratorSource(event, 100), { parallelism: 1 })).toEqual([
      expected,
    ]);
    const perReader = await SourceHarness.run(new DataGeneratorSource(event, 100), { parallelism: 3 });
    expect(perReader.map((v) => v.length)).toEqual([34, 33, 33]);
    expect(perReader.flat()).toEqual(expected);
  });

  it('keeps generating when unbounded', async () => {
    const harness = await SourceHarness.create(new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY), {
      parallelism: 2,
    });
    await harness.poll({ minRecords: 5000 });
    expect(harness.allEnded).toBe(false);
    expect(harness.outputs[0].values.slice(0, 3)).toEqual([0, 1, 2]);
    const second = harness.outputs[1].values;
    expect(second[0]).toBe(Math.ceil(Number.MAX_SAFE_INTEGER / 2));
    expect(second[1]).toBe(second[0] + 1);
    await harness.close();
  });

  it('resumes from a snapshot with exactly the remaining records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 30 }),
        async (count, parallelism, cutAfterPolls) => {
          const source = new DataGeneratorSource((i) => i * 2, count, { maxRecordsPerPoll: 7 });
          const { before, after } = await runWithRestore(source, { parallelism, cutAfterPolls });
          const all = [...before.flat(), ...after.flat()].sort((a, b) => a - b);
          expect(all).toEqual(Array.from({ length: count }, (_, i) => i * 2));
        },
      ),
      { numRuns: 1000 },
    );
  });

  describe('rate limit', () => {
    it('returns NOTHING_AVAILABLE once the period budget is used up', async () => {
      // 40/s over 2 readers: 20/s each, 2 per 100 ms period (+1 carried at most)
      const harness = await SourceHarness.create(
        new DataGeneratorSource((i) => i, 1000, { recordsPerSecond: 40 }),
        {
          parallelism: 2,
          deliverSync: true,
        },
      );
      const started = performance.now();
      for (const subtask of [0, 1]) {
        expect(harness.pollOnce(subtask)).toBe(InputStatus.NOTHING_AVAILABLE);
      }
      const elapsedPeriods = Math.ceil((performance.now() - started) / 100);
      for (const output of harness.outputs) {
        expect(output.records.length).toBeGreaterThan(0);
        expect(output.records.length).toBeLessThanOrEqual(3 + 2 * elapsedPeriods);
      }
      await harness.close();
    });

    it('emits everything eventually, waiting on isAvailable between budgets', async () => {
      const harness = await SourceHarness.create(
        new DataGeneratorSource((i) => i, 25, { recordsPerSecond: 100 }),
        {
          parallelism: 1,
          deliverSync: true,
        },
      );
      await harness.runToEnd();
      expect(harness.allValues()).toEqual(Array.from({ length: 25 }, (_, i) => i));
      // 10 per 100 ms period: 25 records cannot all pass without running out of budget
      expect(harness.statuses[0]).toContain(InputStatus.NOTHING_AVAILABLE);
      await harness.close();
    });

    it('shares the rate across readers', async () => {
      const source = new DataGeneratorSource((i) => i, 1000, { recordsPerSecond: 300 });
      const harness = await SourceHarness.create(source, { parallelism: 3, deliverSync: true });
      const started = performance.now();
      for (const subtask of [0, 1, 2]) harness.pollOnce(subtask);
      const elapsedPeriods = Math.ceil((performance.now() - started) / 100);
      // 100/s each: 10 per period, never the 30 per period of the whole source
      for (const output of harness.outputs)
        expect(output.records.length).toBeLessThanOrEqual(11 + 10 * elapsedPeriods);
      await harness.close();
    });
  });
});
