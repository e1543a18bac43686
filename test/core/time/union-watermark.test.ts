import { describe, expect, it } from 'vitest';
import {
  AbstractStreamOperator,
  ManualClock,
  type OneInputStreamOperator,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { Pushable } from '../../util/pushable.js';
import { waitFor } from '../../util/wait-for.js';

interface Ev {
  readonly src: string;
  readonly ts: number;
}

/** Records the watermarks and idleness its task hands it. */
class WatermarkProbe extends AbstractStreamOperator<Ev> implements OneInputStreamOperator<Ev, Ev> {
  constructor(
    private readonly seen: number[],
    private readonly records: Ev[],
  ) {
    super();
  }

  processElement(value: Ev, timestamp: number): void {
    this.records.push(value);
    this.output.collect(value, timestamp);
  }

  override processWatermark(watermark: number): void {
    this.seen.push(watermark);
    super.processWatermark(watermark);
  }
}

describe('watermarks across a union', () => {
  it('follows the slower input, and idleness of that input releases it', async () => {
    const clock = new ManualClock(0);
    const env = new StreamExecutionEnvironment({ parallelism: 1, clock, autoWatermarkInterval: 100 });
    const fast = new Pushable<Ev>();
    const slow = new Pushable<Ev>();
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>()
      .withTimestampAssigner((e: Ev) => e.ts)
      .withIdleness(1000);
    const fastStream = env.fromAsyncIterable(() => fast).assignTimestampsAndWatermarks(strategy);
    const slowStream = env.fromAsyncIterable(() => slow).assignTimestampsAndWatermarks(strategy);
    const seen: number[] = [];
    const records: Ev[] = [];
    fastStream.union(slowStream).transform('probe', () => new WatermarkProbe(seen, records));
    const job = env.execute('union-watermarks');

    fast.push(...[1000, 2000, 3000, 4000, 5000].map((ts) => ({ src: 'fast', ts })));
    slow.push({ src: 'slow', ts: 100 });
    await waitFor(() => records.length === 6, 'all six records');
    clock.advance(100); // one periodic emit: fast -> 4999, slow -> 99
    await waitFor(() => seen.length > 0, 'a first watermark');
    expect(seen).toEqual([99]);

    // The slow input stays silent; the fast one keeps going. Until the slow input is idle for
    // longer than the timeout, the union's watermark must not pass the slow input's.
    let t = 5000;
    for (let step = 0; step < 8; step++) {
      t += 100;
      fast.push({ src: 'fast', ts: t });
      await waitFor(() => records.length === 7 + step, 'the fast record');
      clock.advance(100);
      await new Promise((r) => setImmediate(r));
    }
    expect(Math.max(...seen)).toBe(99);

    // Keep advancing: the slow input turns idle and the fast input's watermark takes over.
    for (let step = 0; step < 20 && Math.max(...seen) < 5000; step++) {
      t += 100;
      fast.push({ src: 'fast', ts: t });
      clock.advance(100);
      await waitFor(() => records.length >= 15 + step, 'the fast record');
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => Math.max(...seen) > 5000, 'the fast watermark once the slow input is idle');
    expect(Math.max(...seen)).toBeLessThan(t);
    // Watermarks only ever move forward.
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    await job.cancel();
    expect((await job).status).toBe('CANCELED');
  });

  it('takes the minimum of two bounded inputs and ends at +Infinity', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0 });
    // Punctuated generators: a watermark per event, so the sequence does not depend on timing.
    const punctuated = WatermarkStrategy.forGenerator<Ev>(() => ({
      onEvent: (_e, ts, out) => out.emitWatermark(ts),
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e: Ev) => e.ts);
    const a = env
      .fromElements<Ev>({ src: 'a', ts: 10 }, { src: 'a', ts: 20 })
      .assignTimestampsAndWatermarks(punctuated);
    const b = env.fromElements<Ev>({ src: 'b', ts: 5 }).assignTimestampsAndWatermarks(punctuated);
    const seen: number[] = [];
    a.union(b).transform('probe', () => new WatermarkProbe(seen, []));
    await env.execute();
    // Never above the slower input's 5 until b ends; then a's and finally the end of time.
    expect(seen[0]).toBe(5);
    expect(seen.at(-1)).toBe(Number.POSITIVE_INFINITY);
    const beforeEnd = seen.filter((w) => w !== Number.POSITIVE_INFINITY);
    for (const w of beforeEnd) expect([5, 10, 20]).toContain(w);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
  });
});
