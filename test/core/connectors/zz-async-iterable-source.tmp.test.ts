import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AsyncIterableSource } from '../../../src/core/connectors/async-iterable-source.js';
import { Boundedness, InputStatus } from '../../../src/core/connectors/source.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function* slowCount(n: number, delayMs: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    await sleep(delayMs);
    yield i;
  }
}

async function* fastCount(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('AsyncIterableSource', () => {
  it('is bounded unless told otherwise', () => {
    expect(new AsyncIterableSource(() => []).getBoundedness()).toBe(Boundedness.BOUNDED);
    expect(new AsyncIterableSource(() => [], { bounded: false }).getBoundedness()).toBe(
      Boundedness.CONTINUOUS_UNBOUNDED,
    );
  });

  it('reads a sync iterable inside pollNext, at parallelism 1 and 3 (one reader gets it all)', async () => {
    expect(await SourceHarness.run(new AsyncIterableSource(() => upTo(500)), { parallelism: 1 })).toEqual([
      upTo(500),
    ]);
    expect(
      await SourceHarness.run(new AsyncIterableSource(() => new Set(upTo(5))), { parallelism: 3 }),
    ).toEqual([upTo(5), [], []]);
  });

  it('reads an async generator, at parallelism 1 and 3', async () => {
    expect(
      await SourceHarness.run(new AsyncIterableSource(() => fastCount(1000)), { parallelism: 1 }),
    ).toEqual([upTo(1000)]);
    const perReader = await SourceHarness.run(new AsyncIterableSource(() => fastCount(300)), {
      parallelism: 3,
    });
    expect(perReader).toEqual([upTo(300), [], []]);
  });

  it('waits for a slow async generator without blocking pollNext', async () => {
    const harness = await SourceHarness.create(new AsyncIterableSource(() => slowCount(8, 5)), {
      parallelism: 1,
      deliverSync: true,
    });
    expect(harness.pollOnce(0)).toBe(InputStatus.NOTHING_AVAILABLE);
    await harness.runToEnd();
    expect(harness.allValues()).toEqual(upTo(8));
    expect(
      harness.statuses[0].filter((s) => s === InputStatus.NOTHING_AVAILABLE).length,
    ).toBeGreaterThanOrEqual(8);
    await harness.close();
  });

  it('pulls ahead only a bounded number of items', async () => {
    let pulled = 0;
    async function* counting(): AsyncGenerator<number> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    const harness = await SourceHarness.create(new AsyncIterableSource(counting, { maxBufferedItems: 10 }), {
      parallelism: 1,
      deliverSync: true,
    });
    harness.pollOnce(0);
    await sleep(20);
    expect(pulled).toBeLessThanOrEqual(11);
    await harness.runToEnd();
    expect(harness.allValues()).toEqual(upTo(1000));
  });

  it('resumes after a restore by re-creating the iterable and skipping what was emitted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (count, cutAfterPolls, async, parallelism) => {
          const source = new AsyncIterableSource(() => (async ? fastCount(count) : upTo(count)), {
            maxRecordsPerPoll: 7,
            maxBufferedItems: 5,
          });
          const { before, after, snapshot } = await runWithRestore(source, { parallelism, cutAfterPolls });
          expect([...before[0], ...after[0]]).toEqual(upTo(count));
          const splits = snapshot.readers.flat();
          if (splits.length > 0) expect(splits[0].consumed).toBe(before[0].length);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fails the reader when the iterator throws', async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    const harness = await SourceHarness.create(new AsyncIterableSource(broken), { parallelism: 1 });
    await expect(harness.runToEnd()).rejects.toThrow('boom');
    expect(harness.allValues()).toEqual([1]);
    await harness.close();
  });

  it('closes the iterator when the reader closes', async () => {
    let finalized = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finalized = true;
      }
    }
    const harness = await SourceHarness.create(new AsyncIterableSource(endless, { bounded: false }), {
      parallelism: 1,
    });
    await harness.poll({ minRecords: 50 });
    await harness.close();
    await sleep(0);
    expect(finalized).toBe(true);
  });

  it('does not hang closing while the producer is stalled', async () => {
    async function* stalled(): AsyncGenerator<number> {
      yield 1;
      await new Promise(() => {});
    }
    const harness = await SourceHarness.create(new AsyncIterableSource(stalled), { parallelism: 1 });
    await harness.poll({ minRecords: 1 });
    await harness.close();
  });
});
