import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobStatus, RestartStrategies } from '../../../src/core/index.js';
import { expectedOutput, runPipeline } from './pipeline.js';

const N = 400;
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

describe('exactly-once under random failures (property)', () => {
  it('any failure points: the committed output equals the uninterrupted run', async () => {
    console.log(`exactly-once property: seed ${seed} (rerun with FC_SEED=${seed})`);
    const expected = await expectedOutput(N);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: N }), { maxLength: 4 }), async (failAt) => {
        const { job, store } = runPipeline({
          n: N,
          failAt,
          restartStrategy: RestartStrategies.fixedDelayRestart(10, 0),
        });
        const result = await job;
        expect(result.status).toBe(JobStatus.FINISHED);
        expect(job.getNumberOfRestarts()).toBe(failAt.length);
        expect(store.values().sort()).toEqual(expected);
      }),
      { seed, numRuns: 25 },
    );
  });

  it('incremental checkpoints (any chain length, memory or file storage): the same committed output', async () => {
    console.log(`exactly-once property, incremental: seed ${seed} (rerun with FC_SEED=${seed})`);
    const expected = await expectedOutput(N);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: N }), { maxLength: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (failAt, chain, onFiles) => {
          const dir = onFiles ? mkdtempSync(join(tmpdir(), 'incr-chk-')) : undefined;
          try {
            const { job, store } = runPipeline({
              n: N,
              failAt,
              restartStrategy: RestartStrategies.fixedDelayRestart(10, 0),
              incrementalChain: chain,
              ...(dir !== undefined ? { storage: dir } : {}),
            });
            const result = await job;
            expect(result.status).toBe(JobStatus.FINISHED);
            expect(job.getNumberOfRestarts()).toBe(failAt.length);
            expect(store.values().sort()).toEqual(expected);
          } finally {
            if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { seed, numRuns: 25 },
    );
  });
});
