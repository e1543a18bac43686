import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  AsyncDataStream,
  type AsyncFunction,
  AsyncTimeoutError,
  type Collector,
  CollectSink,
  JobExecutionError,
  JobStatus,
  ManualClock,
  type ProcessContext,
  ProcessFunction,
  type ResultFuture,
  RichAsyncFunction,
  RuntimeExecutionMode,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';

/** Lets the event loop (and so the job's scheduler) run until `cond` holds; no timers involved. */
async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 100_000; i++) {
    if (cond()) return;
    await nextTurn();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A small seeded PRNG (mulberry32), so the completion orders are random but repeatable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Deferred {
  readonly input: number;
  resolve(): void;
}

/**
 * Requests that complete when the test resolves them. The lambda is shared by every parallel copy
 * of the operator, so the bookkeeping is global to the job.
 */
class Requests {
  readonly open: Deferred[] = [];
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  fn(map: (n: number) => string = (n) => `r${n}`): AsyncFunction<number, string> {
    return (input) =>
      new Promise<string[]>((resolve) => {
        this.calls++;
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        this.open.push({
          input,
          resolve: () => {
            this.inFlight--;
            resolve([map(input)]);
          },
        });
      });
  }

  /** Resolves open requests in random order until the job ends. */
  async drive(job: PromiseLike<unknown>, random: () => number): Promise<void> {
    let ended = false;
    const settled = Promise.resolve(job).then(
      () => {
        ended = true;
      },
      () => {
        ended = true;
      },
    );
    while (!ended) {
      if (this.open.length > 0 && random() < 0.7) {
        const [d] = this.open.splice(Math.floor(random() * this.open.length), 1);
        d!.resolve();
      }
      await nextTurn();
    }
    await settled;
  }
}

describe('AsyncDataStream in a job', () => {
  it('orderedWait with synchronous results keeps the input order and finishes', async () => {
    const env = new StreamExecutionEnvironment();
    const out = await AsyncDataStream.orderedWait(
      env.fromSequence(1, 5000),
      (n: number, rf: ResultFuture<number>) => rf.complete([n * 2]),
      1000,
      3,
    ).executeAndCollect();
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => (i + 1) * 2));
  });

  for (const chaining of [true, false]) {
    it(`never has more than capacity requests in flight (chaining ${chaining})`, async () => {
      const env = new StreamExecutionEnvironment({ chaining });
      const requests = new Requests();
      const sink = new CollectSink<string>();
      AsyncDataStream.orderedWait(env.fromSequence(1, 300), requests.fn(), 0, 4).sinkTo(sink);
      await requests.drive(env.execute('capacity'), rng(42));
      expect(requests.maxInFlight).toBe(4);
      expect(sink.values).toEqual(Array.from({ length: 300 }, (_, i) => `r${i + 1}`));
    });
  }

  it('unorderedWait never lets a record become late behind a watermark', async () => {
    const env = new StreamExecutionEnvironment({ clock: new ManualClock(0) });
    const requests = new Requests();
    const events = Array.from({ length: 200 }, (_, i) => i);
    const withTime = env.fromData(events).assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<number>(() => ({
        // Punctuated: a watermark after every fourth event, so segments hold several records.
        onEvent: (e, ts, out) => {
          if (e % 4 === 3) out.emitWatermark(ts);
        },
        onPeriodicEmit: () => {},
      })).withTimestampAssigner((e) => e * 10 + 1),
    );
    const seen: { value: string; ts: number | null; watermark: number }[] = [];
    class Observe extends ProcessFunction<string, string> {
      processElement(value: string, ctx: ProcessContext, out: Collector<string>): void {
        seen.push({ value, ts: ctx.timestamp(), watermark: ctx.timerService().currentWatermark() });
        out.collect(value);
      }
    }
    AsyncDataStream.unorderedWait(withTime, requests.fn(), 0, 16)
      .process(new Observe())
      .sinkTo(new CollectSink());
    await requests.drive(env.execute('unordered'), rng(7));
    expect(seen.map((s) => s.value).sort()).toEqual(events.map((n) => `r${n}`).sort());
    for (const s of seen) expect(s.ts!).toBeGreaterThan(s.watermark);
    // Everything before a watermark left before it: the watermark a record sees is below its own
    // segment, i.e. it is exactly the watermark closing the previous group of four.
    for (const s of seen) {
      const n = Number(s.value.slice(1));
      const previousGroupEnd = Math.floor(n / 4) * 4 - 1;
      expect(s.watermark).toBe(previousGroupEnd < 0 ? Number.NEGATIVE_INFINITY : previousGroupEnd * 10 + 1);
    }
  });

  it('a timeout without a handler fails the job with AsyncTimeoutError', async () => {
    const clock = new ManualClock(0);
    const env = new StreamExecutionEnvironment({ clock });
    const requests = new Requests();
    AsyncDataStream.orderedWait(env.fromElements(1, 2), requests.fn(), 500).sinkTo(new CollectSink());
    const job = env.execute('timeout');
    await until(() => requests.calls === 2, 'both requests');
    clock.advance(499);
    await nextTurn();
    expect(job.getJobStatus()).toBe(JobStatus.RUNNING);
    clock.advance(1);
    const error = await Promise.resolve(job).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobExecutionError);
    expect((error as Error).cause).toBeInstanceOf(AsyncTimeoutError);
  });

  it('a timeout handler completes with a fallback', async () => {
    const clock = new ManualClock(0);
    const env = new StreamExecutionEnvironment({ clock });
    let calls = 0;
    const fn = {
      asyncInvoke(n: number): Promise<string[]> | undefined {
        calls++;
        // Odd inputs never answer.
        return n % 2 === 0 ? Promise.resolve([`ok-${n}`]) : new Promise<string[]>(() => {});
      },
      timeout(n: number, rf: ResultFuture<string>): void {
        rf.complete([`fallback-${n}`]);
      },
    };
    const sink = new CollectSink<string>();
    AsyncDataStream.orderedWait(env.fromElements(0, 1, 2, 3), fn, 1000, 10).sinkTo(sink);
    const job = env.execute('fallback');
    await until(() => calls === 4, 'all requests');
    clock.advance(1000);
    await job;
    expect(sink.values).toEqual(['ok-0', 'fallback-1', 'ok-2', 'fallback-3']);
  });

  const failures: [string, AsyncFunction<number, number>][] = [
    [
      'a synchronous throw',
      () => {
        throw new Error('boom');
      },
    ],
    ['completeExceptionally', (_n, rf) => rf.completeExceptionally(new Error('boom'))],
    ['a rejected promise', async () => Promise.reject(new Error('boom'))],
  ];
  for (const [what, fn] of failures) {
    it(`${what} fails the job with the cause`, async () => {
      const env = new StreamExecutionEnvironment();
      AsyncDataStream.unorderedWait(env.fromElements(1, 2, 3), fn, 0).sinkTo(new CollectSink());
      const error = await Promise.resolve(env.execute('fail')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(JobExecutionError);
      expect(((error as Error).cause as Error).message).toBe('boom');
    });
  }

  for (const mode of [RuntimeExecutionMode.STREAMING, RuntimeExecutionMode.BATCH]) {
    it(`the end of a bounded input waits for the requests in flight (${mode})`, async () => {
      const env = new StreamExecutionEnvironment({ runtimeMode: mode });
      const requests = new Requests();
      const sink = new CollectSink<string>();
      AsyncDataStream.unorderedWait(env.fromElements(1, 2, 3), requests.fn(), 0).sinkTo(sink);
      const job = env.execute('end');
      await until(() => requests.open.length === 3, 'three requests');
      for (let i = 0; i < 20; i++) await nextTurn();
      expect(job.getJobStatus()).toBe(JobStatus.RUNNING);
      expect(sink.values).toEqual([]);
      requests.open.splice(1, 1)[0]!.resolve();
      for (let i = 0; i < 20; i++) await nextTurn();
      expect(job.getJobStatus()).toBe(JobStatus.RUNNING);
      for (const d of requests.open.splice(0)) d.resolve();
      await job;
      expect(sink.values).toEqual(['r2', 'r1', 'r3']);
    });
  }

  it('opens and closes a RichAsyncFunction per parallel instance', async () => {
    class Lifecycle {
      opened: number[] = [];
      closed = 0;
    }
    const life = new Lifecycle();
    class Tagging extends RichAsyncFunction<number, string> {
      private prefix = '';
      constructor(private readonly lifecycle: Lifecycle) {
        super();
      }
      override open(): void {
        const index = this.getRuntimeContext().getIndexOfThisSubtask();
        this.lifecycle.opened.push(index);
        this.prefix = `#${index}:`;
      }
      override close(): void {
        this.lifecycle.closed++;
      }
      async asyncInvoke(n: number): Promise<string[]> {
        return [`${this.prefix}${n}`];
      }
    }
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    const out = await AsyncDataStream.unorderedWait(
      env.fromSequence(1, 100).rebalance(),
      new Tagging(life),
      0,
      5,
    ).executeAndCollect();
    expect(life.opened.sort()).toEqual([0, 1]);
    expect(life.closed).toBe(2);
    expect(out).toHaveLength(100);
    expect(new Set(out.map((s) => s.split(':')[0]))).toEqual(new Set(['#0', '#1']));
  });

  it('validates the capacity while the job is built', () => {
    const env = new StreamExecutionEnvironment();
    expect(() => AsyncDataStream.orderedWait(env.fromElements(1), async (n: number) => [n], 0, 0)).toThrow(
      /capacity/,
    );
  });
});
