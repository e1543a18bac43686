import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  CollectSink,
  DataGeneratorSource,
  JobClient,
  JobExecutionError,
  JobStatus,
  RuntimeExecutionMode,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';

/** Resolves once `condition` holds, checking after each event-loop turn (no fixed sleeps). */
async function waitFor(condition: () => boolean, what: string, maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function failureOf(job: PromiseLike<unknown>): Promise<unknown> {
  return job.then(
    () => {
      throw new Error('expected the job to fail');
    },
    (e: unknown) => e,
  );
}

describe('finishing jobs', () => {
  it('execute() returns a JobClient; awaiting it gives FINISHED', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const sink = new CollectSink<number>();
    env
      .fromSequence(1, 100)
      .map((n) => n * 2)
      .sinkTo(sink);
    const job = env.execute('doubling');
    expect(job).toBeInstanceOf(JobClient);
    expect(job.jobId).toMatch(/^job-\d+$/);
    expect(job.getJobStatus()).toBe(JobStatus.RUNNING);
    const result = await job;
    expect(result.status).toBe(JobStatus.FINISHED);
    expect(result.jobName).toBe('doubling');
    expect(result.jobId).toBe(job.jobId);
    expect(result.netRuntime).toBeGreaterThanOrEqual(0);
    expect(job.getJobStatus()).toBe(JobStatus.FINISHED);
    expect(await job.getJobExecutionResult()).toEqual(result);
    expect(sink.values.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => (i + 1) * 2));
  });

  it('the environment is cleared by execute(), so it can run another job', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const first = await env.fromElements(1, 2).executeAndCollect();
    const second = await env.fromElements('a').executeAndCollect();
    expect(first).toEqual([1, 2]);
    expect(second).toEqual(['a']);
    expect(() => env.execute()).toThrow(/no operators defined/);
  });

  it('each job gets its own id', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.fromElements(1).sinkTo(new CollectSink());
    const a = env.execute();
    env.fromElements(1).sinkTo(new CollectSink());
    const b = env.execute();
    expect(a.jobId).not.toBe(b.jobId);
    return Promise.all([a, b]);
  });
});

describe('cancelling unbounded jobs', () => {
  it('cancel() on an infinite async generator resolves with CANCELED and closes the operators', async () => {
    let closed = 0;
    class Counting extends AbstractRichFunction {
      map(v: number): number {
        return v;
      }
      override close(): void {
        closed++;
      }
    }
    async function* forever(): AsyncGenerator<number> {
      for (let i = 0; ; i++) {
        if (i % 50 === 0) await nextTurn();
        yield i;
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const sink = new CollectSink<number>();
    env.fromAsyncIterable(forever, { bounded: false }).map(new Counting()).sinkTo(sink);
    const job = env.execute('forever');
    await waitFor(() => sink.values.length >= 1000, '1000 records');
    expect(job.getJobStatus()).toBe(JobStatus.RUNNING);

    await job.cancel();
    expect(job.getJobStatus()).toBe(JobStatus.CANCELED);
    expect(closed).toBe(1);
    expect(sink.isFinished).toBe(true);
    const result = await job;
    expect(result.status).toBe(JobStatus.CANCELED);
    // Records arrived in order, none after the cancel.
    const n = sink.values.length;
    expect(sink.values).toEqual(Array.from({ length: n }, (_, i) => i));
    await nextTurn();
    expect(sink.values.length).toBe(n);
    // Cancelling again is a no-op.
    await job.cancel();
    expect(job.getJobStatus()).toBe(JobStatus.CANCELED);
  });

  it('cancel() on a DataGeneratorSource with count Infinity at parallelism 2', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const source = new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY);
    const sink = new CollectSink<number>();
    env.fromSource(source, WatermarkStrategy.noWatermarks(), 'infinite').sinkTo(sink);
    const job = env.execute('infinite generator');
    await waitFor(
      () => new Set(sink.records.map((r) => r.subtaskIndex)).size === 2,
      'records from both readers',
    );
    const [result] = await Promise.all([job.getJobExecutionResult(), job.cancel()]);
    expect(result.status).toBe(JobStatus.CANCELED);
    expect(job.getJobStatus()).toBe(JobStatus.CANCELED);
  });

  it('cancel() right after execute() (before any record) also ends the job', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env
      .fromSource(
        new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY),
        WatermarkStrategy.noWatermarks(),
        'gen',
      )
      .sinkTo(new CollectSink());
    const job = env.execute();
    await job.cancel();
    expect((await job).status).toBe(JobStatus.CANCELED);
  });

  it('cancel() of a finished job does not change its status', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements(1).sinkTo(new CollectSink());
    const job = env.execute();
    await job;
    await job.cancel();
    expect(job.getJobStatus()).toBe(JobStatus.FINISHED);
  });
});

describe('failing jobs', () => {
  it('a throwing user function makes `await job` reject with JobExecutionError whose cause is the error', async () => {
    const boom = new TypeError('bad record 7');
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env
      .fromSequence(0, 100)
      .map((n) => {
        if (n === 7) throw boom;
        return n;
      })
      .sinkTo(new CollectSink());
    const job = env.execute('fails');
    const err = await failureOf(job);
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err as JobExecutionError).cause).toBe(boom);
    expect((err as JobExecutionError).jobName).toBe('fails');
    expect((err as Error).message).toBe("Job 'fails' failed: bad record 7");
    expect(job.getJobStatus()).toBe(JobStatus.FAILED);
    await expect(job.getJobExecutionResult()).rejects.toBe(err);
  });

  it('a failure in an operator after an exchange (keyed) also fails the job', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    env
      .fromSequence(0, 1000)
      .keyBy((n) => n % 5)
      .reduce((a, b) => {
        if (b === 500) throw new RangeError('reduce failed');
        return a + b;
      })
      .sinkTo(new CollectSink());
    const err = await failureOf(env.execute());
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err as Error).cause).toBeInstanceOf(RangeError);
  });

  it('a failing source iterator fails the job', async () => {
    async function* broken(): AsyncGenerator<number> {
      yield 1;
      await nextTurn();
      throw new Error('source broke');
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const sink = new CollectSink<number>();
    env.fromAsyncIterable(broken).sinkTo(sink);
    const err = await failureOf(env.execute());
    expect(((err as Error).cause as Error).message).toBe('source broke');
    expect(sink.values).toEqual([1]);
  });

  function failingSinkJob(chained: boolean): Promise<unknown> {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const sink = env.fromElements(1, 2, 3).sinkTo({
      createWriter: () => ({
        write: async (v: number) => {
          await nextTurn();
          if (v === 2) throw new Error('disk full');
        },
        flush: () => {},
        close: () => {},
      }),
    });
    if (!chained) sink.disableChaining();
    return failureOf(env.execute());
  }

  it('a failing sink write (rejected promise) fails the job (sink in its own task)', async () => {
    const err = await failingSinkJob(false);
    expect(err).toBeInstanceOf(JobExecutionError);
    expect(((err as Error).cause as Error).message).toBe('disk full');
  });

  it('a failing sink write (rejected promise) fails the job (sink chained to the source)', async () => {
    // The source emits 1, 2, 3 in one poll and reaches its end while the writes are pending: the
    // job must still wait for them and report the failure instead of FINISHED.
    const err = await failingSinkJob(true);
    expect(err).toBeInstanceOf(JobExecutionError);
    expect(((err as Error).cause as Error).message).toBe('disk full');
  });
});

describe('execution modes', () => {
  it('BATCH with an unbounded source throws at execute()', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({
      runtimeMode: RuntimeExecutionMode.BATCH,
    });
    env
      .fromSource(
        new DataGeneratorSource((i) => i, Number.POSITIVE_INFINITY),
        WatermarkStrategy.noWatermarks(),
        'gen',
      )
      .sinkTo(new CollectSink());
    expect(() => env.execute()).toThrow(/CONTINUOUS_UNBOUNDED source with the runtime mode set to BATCH/);
  });

  it('BATCH with an unbounded async iterable throws too', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode(
      RuntimeExecutionMode.BATCH,
    );
    env.fromAsyncIterable(() => [1, 2, 3], { bounded: false }).sinkTo(new CollectSink());
    expect(() => env.execute()).toThrow(/BATCH/);
  });

  async function keyedReduce(mode: RuntimeExecutionMode): Promise<[string, number][]> {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, runtimeMode: mode });
    return env
      .fromSequence(1, 300)
      .map((n): [string, number] => [`k${n % 6}`, n])
      .keyBy((t) => t[0])
      .reduce((a, b) => [a[0], a[1] + b[1]])
      .executeAndCollect(`reduce ${mode}`);
  }

  function finalPerKey(out: [string, number][]): Map<string, number> {
    const m = new Map<string, number>();
    for (const [k, v] of out) m.set(k, Math.max(m.get(k) ?? 0, v));
    return m;
  }

  it('keyed reduce emits every update in STREAMING and only the final value per key in BATCH', async () => {
    const streaming = await keyedReduce(RuntimeExecutionMode.STREAMING);
    const batch = await keyedReduce(RuntimeExecutionMode.BATCH);
    expect(streaming).toHaveLength(300);
    expect(batch).toHaveLength(6);
    expect(new Set(batch.map((t) => t[0])).size).toBe(6);

    const expected = new Map<string, number>();
    for (let n = 1; n <= 300; n++) expected.set(`k${n % 6}`, (expected.get(`k${n % 6}`) ?? 0) + n);
    expect(finalPerKey(streaming)).toEqual(expected);
    expect(new Map(batch)).toEqual(expected);
  });

  it('AUTOMATIC picks BATCH for bounded sources', async () => {
    const automatic = await keyedReduce(RuntimeExecutionMode.AUTOMATIC);
    const batch = await keyedReduce(RuntimeExecutionMode.BATCH);
    expect(automatic).toHaveLength(6);
    expect(new Map(automatic)).toEqual(new Map(batch));
  });

  it('AUTOMATIC picks STREAMING for unbounded sources (every update is emitted)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({
      parallelism: 1,
      runtimeMode: RuntimeExecutionMode.AUTOMATIC,
    });
    const sink = new CollectSink<[string, number]>();
    env
      .fromSource(
        new DataGeneratorSource((i): [string, number] => [`k${i % 3}`, 1], Number.POSITIVE_INFINITY),
        WatermarkStrategy.noWatermarks(),
        'gen',
      )
      .keyBy((t) => t[0])
      .reduce((a, b) => [a[0], a[1] + b[1]])
      .sinkTo(sink);
    const job = env.execute();
    await waitFor(() => sink.values.length >= 30, 'rolling updates');
    await job.cancel();
    // Updates of key k0: 1, 2, 3, ... in order.
    const k0 = sink.values.filter((t) => t[0] === 'k0').map((t) => t[1]);
    expect(k0.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await job).status).toBe(JobStatus.CANCELED);
  });
});
