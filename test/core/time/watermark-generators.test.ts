import { describe, expect, it } from 'vitest';
import { NO_TIMESTAMP } from '../../../src/core/api/timestamps.js';
import { AscendingTimestampsWatermarks } from '../../../src/core/time/ascending-timestamps-watermarks.js';
import { BoundedOutOfOrdernessWatermarks } from '../../../src/core/time/bounded-out-of-orderness-watermarks.js';
import { NoWatermarksGenerator } from '../../../src/core/time/no-watermarks-generator.js';
import { ManualClock } from '../../../src/core/time/processing-time-service.js';
import type { WatermarkGenerator, WatermarkOutput } from '../../../src/core/time/watermark-generator.js';
import { WatermarkStrategy } from '../../../src/core/time/watermark-strategy.js';
import { WatermarksWithIdleness } from '../../../src/core/time/watermarks-with-idleness.js';

type Event = string | { idle: boolean } | number;

/** Records what a generator emits: numbers are watermarks. */
class RecordingOutput implements WatermarkOutput {
  readonly events: Event[] = [];
  emitWatermark(watermark: number): void {
    this.events.push(watermark);
  }
  markIdle(): void {
    this.events.push('idle');
  }
  markActive(): void {
    this.events.push('active');
  }
}

describe('BoundedOutOfOrdernessWatermarks', () => {
  it('emits nothing before the first event', () => {
    const gen = new BoundedOutOfOrdernessWatermarks<string>(100);
    const out = new RecordingOutput();
    gen.onPeriodicEmit(out);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([]);
  });

  it('emits max timestamp - out-of-orderness - 1 on periodic emit only', () => {
    const gen = new BoundedOutOfOrdernessWatermarks<string>(100);
    const out = new RecordingOutput();
    gen.onEvent('a', 1_000, out);
    expect(out.events).toEqual([]);
    gen.onPeriodicEmit(out);
    gen.onEvent('b', 900, out); // late but within bounds: does not move the max
    gen.onPeriodicEmit(out);
    gen.onEvent('c', 1_500, out);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([899, 899, 1_399]);
  });

  it('ignores records without a timestamp', () => {
    const gen = new BoundedOutOfOrdernessWatermarks<string>(10);
    const out = new RecordingOutput();
    gen.onEvent('a', NO_TIMESTAMP, out);
    gen.onPeriodicEmit(out);
    gen.onEvent('b', 50, out);
    gen.onEvent('c', NO_TIMESTAMP, out);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([39]);
  });

  it('rejects a negative or non-finite bound', () => {
    expect(() => new BoundedOutOfOrdernessWatermarks(-1)).toThrow();
    expect(() => new BoundedOutOfOrdernessWatermarks(Number.NaN)).toThrow();
    expect(() => new BoundedOutOfOrdernessWatermarks(Number.POSITIVE_INFINITY)).toThrow();
  });
});

describe('AscendingTimestampsWatermarks', () => {
  it('trails the max timestamp by 1 ms', () => {
    const gen = new AscendingTimestampsWatermarks<string>();
    const out = new RecordingOutput();
    gen.onEvent('a', 5, out);
    gen.onEvent('b', 5, out);
    gen.onPeriodicEmit(out);
    gen.onEvent('c', 9, out);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([4, 8]);
  });
});

describe('NoWatermarksGenerator', () => {
  it('never emits', () => {
    const gen = new NoWatermarksGenerator<string>();
    const out = new RecordingOutput();
    gen.onEvent('a', 5, out);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([]);
  });
});

describe('WatermarksWithIdleness', () => {
  function setup(timeout = 1_000) {
    const clock = new ManualClock(0);
    const ctx = { currentProcessingTime: () => clock.now() };
    const gen = new WatermarksWithIdleness<string>(new AscendingTimestampsWatermarks<string>(), timeout, ctx);
    return { clock, gen, out: new RecordingOutput() };
  }

  it('marks idle once no event arrived for longer than the timeout, counted from the first quiet periodic emit', () => {
    const { clock, gen, out } = setup(1_000);
    gen.onEvent('a', 10, out);
    gen.onPeriodicEmit(out); // activity since last check
    clock.advance(200);
    gen.onPeriodicEmit(out); // first quiet check: starts the inactivity timer at 200
    clock.advance(1_000);
    gen.onPeriodicEmit(out); // 1000 since 200: not more than the timeout
    expect(out.events).toEqual([9, 9, 9]);
    clock.advance(1);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual([9, 9, 9, 'idle']);
    expect(gen.isIdle()).toBe(true);
    clock.advance(5_000);
    gen.onPeriodicEmit(out); // stays idle, no repeated status, no watermark from the inner generator
    expect(out.events).toEqual([9, 9, 9, 'idle']);
  });

  it('marks active on the next event and resets the timer', () => {
    const { clock, gen, out } = setup(100);
    gen.onPeriodicEmit(out);
    clock.advance(101);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual(['idle']);
    gen.onEvent('a', 50, out);
    expect(out.events).toEqual(['idle', 'active']);
    gen.onEvent('b', 60, out); // already active
    gen.onPeriodicEmit(out);
    clock.advance(101);
    gen.onPeriodicEmit(out); // starts the inactivity timer
    expect(out.events).toEqual(['idle', 'active', 59, 59]);
    clock.advance(101);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual(['idle', 'active', 59, 59, 'idle']);
  });

  it('requires a positive timeout', () => {
    const ctx = { currentProcessingTime: () => 0 };
    expect(() => new WatermarksWithIdleness(new NoWatermarksGenerator(), 0, ctx)).toThrow();
  });
});

describe('WatermarkStrategy', () => {
  const ctx = { currentProcessingTime: () => 0 };

  function run<T>(gen: WatermarkGenerator<T>, events: Array<[T, number]>): Event[] {
    const out = new RecordingOutput();
    for (const [e, ts] of events) gen.onEvent(e, ts, out);
    gen.onPeriodicEmit(out);
    return out.events;
  }

  it('forBoundedOutOfOrderness creates a fresh generator each time', () => {
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<string>(10);
    const a = strategy.createWatermarkGenerator(ctx);
    const b = strategy.createWatermarkGenerator(ctx);
    expect(a).not.toBe(b);
    expect(run(a, [['x', 100]])).toEqual([89]);
    expect(run(b, [])).toEqual([]);
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-5)).toThrow();
  });

  it('forMonotonousTimestamps trails by 1', () => {
    const gen = WatermarkStrategy.forMonotonousTimestamps<string>().createWatermarkGenerator(ctx);
    expect(run(gen, [['x', 100]])).toEqual([99]);
  });

  it('forGenerator passes the context to the supplier', () => {
    let seen: unknown;
    const strategy = WatermarkStrategy.forGenerator<{ mark: boolean }>((c) => {
      seen = c;
      return {
        onEvent: (e, ts, out) => {
          if (e.mark) out.emitWatermark(ts);
        },
        onPeriodicEmit: () => {},
      };
    });
    const gen = strategy.createWatermarkGenerator(ctx);
    expect(seen).toBe(ctx);
    expect(
      run(gen, [
        [{ mark: false }, 1],
        [{ mark: true }, 2],
      ]),
    ).toEqual([2]);
    expect(strategy.isNoWatermarks).toBe(false);
  });

  it('noWatermarks produces nothing and says so, unless idleness is added', () => {
    const strategy = WatermarkStrategy.noWatermarks<string>();
    expect(strategy.isNoWatermarks).toBe(true);
    expect(run(strategy.createWatermarkGenerator(ctx), [['x', 100]])).toEqual([]);
    expect(strategy.withTimestampAssigner(() => 1).isNoWatermarks).toBe(true);
    expect(strategy.withIdleness(1_000).isNoWatermarks).toBe(false);
  });

  it('uses the record timestamp by default and the configured assigner otherwise', () => {
    const base = WatermarkStrategy.forMonotonousTimestamps<{ at: number }>();
    expect(base.hasTimestampAssigner()).toBe(false);
    expect(base.createTimestampAssigner()({ at: 5 }, 42)).toBe(42);
    const withFn = base.withTimestampAssigner((e) => e.at);
    expect(withFn.hasTimestampAssigner()).toBe(true);
    expect(withFn.createTimestampAssigner()({ at: 5 }, 42)).toBe(5);
    const withObject = base.withTimestampAssigner({
      offset: 1000,
      extractTimestamp(e: { at: number }, recordTs: number) {
        return this.offset + e.at + recordTs;
      },
    } as { offset: number; extractTimestamp(e: { at: number }, recordTs: number): number });
    expect(withObject.createTimestampAssigner()({ at: 5 }, 1)).toBe(1006);
  });

  it('is immutable: with* returns new strategies and leaves the original alone', () => {
    const base = WatermarkStrategy.forMonotonousTimestamps<{ at: number }>();
    const assigned = base.withTimestampAssigner((e) => e.at);
    const idle = assigned.withIdleness(500);
    expect(assigned).not.toBe(base);
    expect(idle).not.toBe(assigned);
    expect(base.hasTimestampAssigner()).toBe(false);
    expect(base.idleTimeoutMs).toBeUndefined();
    expect(assigned.idleTimeoutMs).toBeUndefined();
    expect(idle.idleTimeoutMs).toBe(500);
    expect(idle.createTimestampAssigner()({ at: 7 }, 0)).toBe(7);
    expect(base.createWatermarkGenerator(ctx)).toBeInstanceOf(AscendingTimestampsWatermarks);
    expect(idle.createWatermarkGenerator(ctx)).toBeInstanceOf(WatermarksWithIdleness);
    // idleness keeps the assigner; assigner after idleness keeps the idleness
    expect(idle.withTimestampAssigner(() => 3).idleTimeoutMs).toBe(500);
    expect(() => base.withIdleness(0)).toThrow();
  });

  it('withIdleness marks idle using the context clock', () => {
    const clock = new ManualClock(0);
    const gen = WatermarkStrategy.forMonotonousTimestamps<string>()
      .withIdleness(100)
      .createWatermarkGenerator({ currentProcessingTime: () => clock.now() });
    const out = new RecordingOutput();
    gen.onPeriodicEmit(out);
    clock.advance(101);
    gen.onPeriodicEmit(out);
    expect(out.events).toEqual(['idle']);
  });
});
