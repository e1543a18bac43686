import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FromElementsSource } from '../../../src/core/connectors/from-elements-source.js';
import { Boundedness } from '../../../src/core/connectors/source.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));

describe('FromElementsSource', () => {
  it('is bounded', () => {
    expect(FromElementsSource.of(1).getBoundedness()).toBe(Boundedness.BOUNDED);
  });

  it('emits every element once, in order, at parallelism 1', async () => {
    const [values] = await SourceHarness.run(new FromElementsSource(letters), { parallelism: 1 });
    expect(values).toEqual(letters);
  });

  it('splits the elements into contiguous ordered ranges at parallelism 3', async () => {
    const perReader = await SourceHarness.run(new FromElementsSource(letters), { parallelism: 3 });
    expect(perReader).toEqual([letters.slice(0, 9), letters.slice(9, 18), letters.slice(18)]);
  });

  it('handles fewer elements than readers and no elements', async () => {
    expect(await SourceHarness.run(FromElementsSource.of('x', 'y'), { parallelism: 3 })).toEqual([
      ['x'],
      ['y'],
      [],
    ]);
    expect(await SourceHarness.run(new FromElementsSource([]), { parallelism: 2 })).toEqual([[], []]);
  });

  it('copies the elements, emits no timestamps and keeps holes and undefined', async () => {
    const input = [1, undefined, 3];
    const source = new FromElementsSource(input);
    input.push(4);
    const harness = await SourceHarness.create(source, { parallelism: 1 });
    await harness.runToEnd();
    expect(harness.outputs[0].records).toEqual([
      { value: 1, timestamp: undefined },
      { value: undefined, timestamp: undefined },
      { value: 3, timestamp: undefined },
    ]);
  });

  it('works when readers register before the enumerator starts and with synchronous delivery', async () => {
    const values = await SourceHarness.run(new FromElementsSource(letters), {
      parallelism: 2,
      registerBeforeStart: true,
      deliverSync: true,
    });
    expect(values.flat()).toEqual(letters);
  });

  it('emits at most maxRecordsPerPoll records per poll', async () => {
    const harness = await SourceHarness.create(new FromElementsSource(letters, { maxRecordsPerPoll: 5 }), {
      parallelism: 1,
    });
    await harness.poll({ maxPolls: 3 });
    // the first poll may find no split yet (delivery is asynchronous)
    expect(harness.totalRecords).toBeLessThanOrEqual(15);
    expect(harness.totalRecords % 5).toBe(0);
    await harness.runToEnd();
    expect(harness.allValues()).toEqual(letters);
  });

  it('resumes from a snapshot at any point with exactly the remaining elements', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (elements, parallelism, cutAfterPolls, maxRecordsPerPoll) => {
          const source = new FromElementsSource(elements, { maxRecordsPerPoll });
          const { before, after } = await runWithRestore(source, { parallelism, cutAfterPolls });
          // per reader: what it emitted before the cut followed by what its successor emitted
          const expected = await SourceHarness.run(source, { parallelism });
          for (let i = 0; i < parallelism; i++) expect([...before[i], ...after[i]]).toEqual(expected[i]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
