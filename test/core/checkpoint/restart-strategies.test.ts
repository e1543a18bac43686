import { describe, expect, it } from 'vitest';
import { JobExecutionError, JobStatus, RestartStrategies } from '../../../src/core/index.js';
import { waitFor } from './helpers.js';
import { expectedOutput, runPipeline } from './pipeline.js';

const N = 600;

async function failureOf(job: PromiseLike<unknown>): Promise<JobExecutionError> {
  return job.then(
    () => {
      throw new Error('expected the job to fail');
    },
    (e: unknown) => e as JobExecutionError,
  );
}

describe('restart strategies with checkpoints: exactly-once committed output', () => {
  it('an uninterrupted run commits every window, through periodic checkpoints', async () => {
    const { job, store } = runPipeline({ n: N });
    const result = await job;
    expect(result.status).toBe(JobStatus.FINISHED);
    const stats = job.getCheckpointStats();
    expect(stats.numberOfCompletedCheckpoints).toBeGreaterThan(5); // periodic ones and the final one
    expect(stats.numberOfFailedCheckpoints).toBe(0);
    expect(stats.lastCompleted!.stateSize).toBeGreaterThan(0);
    expect(store.commits).toBeGreaterThan(2);
    const out = store.values().sort();
    // Five keys, records up to t = 6000 in 500 ms windows, timers up to t = 6600.
    expect(out.length).toBeGreaterThanOrEqual(5 * 13);
    expect(new Set(out).size).toBe(out.length);
    expect(out.some((l) => l.includes('timers=1000'))).toBe(true);
  });

  it('fixedDelayRestart: failures in a user function restart from the latest checkpoint, output equals the uninterrupted run', async () => {
    const expected = await expectedOutput(N);
    const { job, store } = runPipeline({
      n: N,
      failAt: [137, 138, 402],
      restartStrategy: RestartStrategies.fixedDelayRestart(5, 0),
    });
    const result = await job;
    expect(result.status).toBe(JobStatus.FINISHED);
    expect(job.getNumberOfRestarts()).toBe(3);
    expect(store.values().sort()).toEqual(expected);
  });

  it('noRestart: the job fails with the cause', async () => {
    const { job } = runPipeline({ n: N, failAt: [250], restartStrategy: RestartStrategies.noRestart() });
    const err = await failureOf(job);
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err.cause as Error).message).toBe('boom at 250');
    expect(job.getJobStatus()).toBe(JobStatus.FAILED);
    expect(job.getNumberOfRestarts()).toBe(0);
  });

  it('fixedDelayRestart gives up after its attempts, failing with the last cause', async () => {
    const { job } = runPipeline({
      n: N,
      failAt: [100, 200, 300],
      restartStrategy: RestartStrategies.fixedDelayRestart(2, 0),
    });
    const err = await failureOf(job);
    expect((err.cause as Error).message).toBe('boom at 300');
    expect(job.getNumberOfRestarts()).toBe(2);
  });

  it('failureRateRestart gives up at the N-th failure within the interval', async () => {
    const { job } = runPipeline({
      n: N,
      failAt: [100, 200, 300],
      restartStrategy: RestartStrategies.failureRateRestart(2, 1_000_000, 0),
    });
    const err = await failureOf(job);
    expect((err.cause as Error).message).toBe('boom at 200');
    expect(job.getNumberOfRestarts()).toBe(1);
  });

  it('failureRateRestart keeps restarting when failures are further apart than the interval', async () => {
    const expected = await expectedOutput(N);
    // The clock moves 1 ms per record: failures 150 records apart are outside a 100 ms interval.
    const { job, store } = runPipeline({
      n: N,
      failAt: [100, 250, 400],
      restartStrategy: RestartStrategies.failureRateRestart(2, 100, 0),
    });
    await job;
    expect(job.getNumberOfRestarts()).toBe(3);
    expect(store.values().sort()).toEqual(expected);
  });

  it('the restart delay runs on the job clock: nothing restarts until the ManualClock advanced', async () => {
    const expected = await expectedOutput(N);
    const { job, store, clock } = runPipeline({
      n: N,
      failAt: [300],
      restartStrategy: RestartStrategies.fixedDelayRestart(1, 5_000),
    });
    await waitFor(() => job.getJobStatus() === JobStatus.RESTARTING, 'restarting');
    const failedAt = clock.now();
    clock.advance(4_999);
    await waitFor(() => clock.now() === failedAt + 4_999, 'clock moved');
    expect(job.getJobStatus()).toBe(JobStatus.RESTARTING);
    expect(job.getNumberOfRestarts()).toBe(0);
    clock.advance(1);
    await job;
    expect(job.getNumberOfRestarts()).toBe(1);
    expect(store.values().sort()).toEqual(expected);
  });

  it('cancel() during the restart delay cancels the job', async () => {
    const { job } = runPipeline({
      n: N,
      failAt: [300],
      restartStrategy: RestartStrategies.fixedDelayRestart(1, 5_000),
    });
    await waitFor(() => job.getJobStatus() === JobStatus.RESTARTING, 'restarting');
    await job.cancel();
    expect((await job).status).toBe(JobStatus.CANCELED);
  });

  it('with checkpointing and no strategy set, the default restarts (fixed delay, 1 s of job clock)', async () => {
    const expected = await expectedOutput(N);
    const { job, store, clock } = runPipeline({ n: N, failAt: [321] });
    await waitFor(() => job.getJobStatus() === JobStatus.RESTARTING, 'restarting');
    clock.advance(1000);
    await job;
    expect(job.getNumberOfRestarts()).toBe(1);
    expect(store.values().sort()).toEqual(expected);
  });
});
