import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  type KeyedOnTimerContext,
  type KeyedProcessContext,
  KeyedProcessFunction,
  RuntimeExecutionMode,
  StreamExecutionEnvironment,
  TimeDomain,
  WatermarkStrategy,
} from '../../../src/core/index.js';

interface Ev {
  readonly key: string;
  readonly ts: number;
  /** Delete the timer this event's predecessor registered at the same time. */
  readonly cancel?: boolean;
}

interface Fired {
  readonly key: string;
  readonly timer: number;
  readonly watermark: number;
  readonly domain: TimeDomain;
  readonly outputTs: number | null;
}

/** Registers a timer at the end of each event's 10 ms bucket; `cancel` deletes it again. */
class BucketTimers extends KeyedProcessFunction<string, Ev, Fired> {
  processElement(e: Ev, ctx: KeyedProcessContext<string>): void {
    const at = Math.floor(e.ts / 10) * 10 + 9;
    if (e.cancel) ctx.timerService().deleteEventTimeTimer(at);
    else ctx.timerService().registerEventTimeTimer(at);
  }

  override onTimer(ts: number, ctx: KeyedOnTimerContext<string>, out: Collector<Fired>): void {
    out.collect({
      key: ctx.getCurrentKey(),
      timer: ts,
      watermark: ctx.timerService().currentWatermark(),
      domain: ctx.timeDomain(),
      outputTs: ctx.timestamp(),
    });
  }
}

/** What must fire: one timer per (key, bucket) whose last registration was not cancelled. */
function expected(events: readonly Ev[]): Map<string, Set<number>> {
  const live = new Map<string, Set<number>>();
  for (const e of events) {
    const at = Math.floor(e.ts / 10) * 10 + 9;
    const set = live.get(e.key) ?? new Set<number>();
    if (e.cancel) set.delete(at);
    else set.add(at);
    live.set(e.key, set);
  }
  return live;
}

async function run(events: Ev[], mode: RuntimeExecutionMode, parallelism: number): Promise<Fired[]> {
  const env = new StreamExecutionEnvironment({ parallelism, runtimeMode: mode, autoWatermarkInterval: 0 });
  const punctuated = WatermarkStrategy.forGenerator<Ev>(() => {
    let max = Number.NEGATIVE_INFINITY;
    return {
      onEvent: (_e, ts, out) => {
        max = Math.max(max, ts);
        out.emitWatermark(max - 5);
      },
      onPeriodicEmit: () => {},
    };
  }).withTimestampAssigner((e: Ev) => e.ts);
  return (
    env
      .fromCollection(events)
      .assignTimestampsAndWatermarks(punctuated)
      // One stamping instance keeps the input order, which registrations and deletions depend on.
      .setParallelism(1)
      .keyBy((e) => e.key)
      .process(new BucketTimers())
      .executeAndCollect()
  );
}

/**
 * Streams whose disorder stays within the watermark delay (every event is ahead of the current
 * watermark), so no event re-registers a timer that already fired.
 */
const eventsArb = fc
  .array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      step: fc.integer({ min: 0, max: 20 }),
      cancel: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    }),
    { maxLength: 60 },
  )
  .map((raw) => {
    let max = 0;
    return raw.map(({ key, step, cancel }): Ev => {
      const ts = Math.max(0, max - 4 + step);
      max = Math.max(max, ts);
      return { key, ts, cancel };
    });
  });

describe('event-time timers', () => {
  it('fire exactly once per key and timestamp, in timestamp order, only once the watermark passes them', async () => {
    await fc.assert(
      fc.asyncProperty(eventsArb, fc.constantFrom(1, 3), async (events, parallelism) => {
        const fired = await run(events, RuntimeExecutionMode.STREAMING, parallelism);
        const want = expected(events);
        const got = new Map<string, number[]>();
        for (const f of fired) {
          expect(f.domain).toBe(TimeDomain.EVENT_TIME);
          expect(f.watermark).toBeGreaterThanOrEqual(f.timer);
          expect(f.outputTs).toBe(f.timer);
          got.set(f.key, [...(got.get(f.key) ?? []), f.timer]);
        }
        for (const [key, timers] of got) {
          // Per key: each exactly once, ascending.
          expect(timers).toEqual([...(want.get(key) ?? [])].sort((x, y) => x - y));
        }
        const wantCount = [...want.values()].reduce((n, s) => n + s.size, 0);
        expect(fired).toHaveLength(wantCount);
        if (parallelism === 1) {
          expect(fired.map((f) => f.timer)).toEqual(fired.map((f) => f.timer).sort((x, y) => x - y));
        }
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it('BATCH fires the same timers as STREAMING, all at the end', async () => {
    // In order within the watermark delay, so STREAMING has no late re-registrations either.
    const events: Ev[] = [];
    for (let i = 0; i < 300; i++) events.push({ key: `k${i % 7}`, ts: i * 3 + ((i * 7) % 4) });
    const streaming = await run(events, RuntimeExecutionMode.STREAMING, 2);
    const batch = await run(events, RuntimeExecutionMode.BATCH, 2);
    const norm = (fs: Fired[]) => fs.map((f) => `${f.key}@${f.timer}`).sort();
    expect(norm(batch)).toEqual(norm(streaming));
    expect(batch.every((f) => f.watermark === Number.POSITIVE_INFINITY)).toBe(true);
    expect(streaming.some((f) => f.watermark < Number.POSITIVE_INFINITY)).toBe(true);
  });
});
