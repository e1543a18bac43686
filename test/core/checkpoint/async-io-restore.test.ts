/**
 * Async I/O in a checkpointed job that fails and restarts (issue 5, part 6): requests in flight at
 * a checkpoint are in its state and re-invoked on restore; ordered output stays in input order;
 * timeouts keep working after the restore; the committed output is exactly that of a run without
 * failures.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AsyncDataStream,
  JobStatus,
  ManualClock,
  NumberSequenceSource,
  RestartStrategies,
  type ResultFuture,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator, settle } from './helpers.js';

const N = 400;

interface Run {
  readonly failAt: readonly number[];
  /** Per input, how many scheduler turns its answer takes (`undefined`: never, it times out). */
  readonly delayOf: (x: number) => number | undefined;
}

async function runJob(run: Run): Promise<{ committed: string[]; invocations: number; restarts: number }> {
  const clock = new ManualClock(0);
  const store = new CommitStore<string>();
  const failAt = new Set(run.failAt);
  let invocations = 0;
  const env = new StreamExecutionEnvironment({ parallelism: 1, clock, bufferCapacity: 8 });
  env.enableCheckpointing(20).setRestartStrategy(RestartStrategies.fixedDelayRestart(10, 0));
  const input = env
    .fromSource(
      new NumberSequenceSource(1, N, { maxRecordsPerPoll: 4 }),
      WatermarkStrategy.noWatermarks<number>(),
      'numbers',
    )
    .map((x) => {
      clock.advance(1);
      if (failAt.delete(x)) throw new Error(`boom at ${x}`);
      return x;
    });
  AsyncDataStream.orderedWait(
    input,
    {
      asyncInvoke(x: number, result: ResultFuture<string>) {
        invocations++;
        const delay = run.delayOf(x);
        if (delay === undefined) return; // never answers: the timeout completes it
        let p: Promise<void> = Promise.resolve();
        for (let i = 0; i < delay; i++) p = p.then(() => undefined);
        void p.then(() => result.complete([`ok:${x}`]));
      },
      timeout(x: number, result: ResultFuture<string>) {
        result.complete([`timeout:${x}`]);
      },
    },
    50,
    8,
  ).transform('commit', () => new CommittingSinkOperator(store));
  const job = env.execute('async-io-restore');
  let done = false;
  const finished = job.then((r) => {
    done = true;
    return r;
  });
  // Records advance the clock; once the input is drained only the test can (for the timeouts).
  while (!done) {
    await settle(20);
    clock.advance(10);
  }
  const result = await finished;
  expect(result.status).toBe(JobStatus.FINISHED);
  return { committed: store.values(), invocations, restarts: job.getNumberOfRestarts() };
}

const expected = Array.from({ length: N }, (_, i) =>
  (i + 1) % 37 === 0 ? `timeout:${i + 1}` : `ok:${i + 1}`,
);

describe('async I/O across checkpoints and restarts', () => {
  it('requests in flight are replayed after a failure; output committed once, in input order', async () => {
    const delayOf = (x: number) => (x % 37 === 0 ? undefined : x % 5);
    const clean = await runJob({ failAt: [], delayOf });
    expect(clean.committed).toEqual(expected);
    expect(clean.invocations).toBe(N);
    const failed = await runJob({ failAt: [90, 91, 250], delayOf });
    expect(failed.restarts).toBe(3);
    expect(failed.committed).toEqual(expected);
    // Restores re-invoked what was in flight or after the checkpoint: more calls than inputs.
    expect(failed.invocations).toBeGreaterThan(N);
  });

  it('any failure points and answer delays: the committed output equals the run without failures (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: N }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 7 }),
        async (failAt, spread) => {
          const delayOf = (x: number) => (x % 37 === 0 ? undefined : (x * spread) % 9);
          const r = await runJob({ failAt, delayOf });
          expect(r.committed).toEqual(expected);
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 20261122), numRuns: 12 },
    );
  });
});
