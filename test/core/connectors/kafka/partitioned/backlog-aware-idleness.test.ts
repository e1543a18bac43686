import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../../../src/core/connectors/kafka/index.js';
import {
  BacklogAwareIdlenessGenerator,
  backlogAwareIdleness,
} from '../../../../../src/core/connectors/kafka/partitioned/backlog-aware-idleness.js';
import { TaskCommitContext } from '../../../../../src/core/connectors/kafka/partitioned/task-commit-context.js';
import { WatermarkStrategy } from '../../../../../src/core/index.js';
import type {
  WatermarkGenerator,
  WatermarkOutput,
} from '../../../../../src/core/time/watermark-generator.js';

/** What the generator told its output, in order. */
function recorder(): WatermarkOutput & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    emitWatermark: (w) => log.push(`wm ${w}`),
    markIdle: () => log.push('idle'),
    markActive: () => log.push('active'),
  };
}

/** A wrapped generator that emits `highest event time` on every periodic emit. */
function highest(): WatermarkGenerator<number> {
  let max = Number.NEGATIVE_INFINITY;
  return {
    onEvent: (_e, ts) => {
      if (ts > max) max = ts;
    },
    onPeriodicEmit: (out) => {
      if (max > Number.NEGATIVE_INFINITY) out.emitWatermark(max);
    },
  };
}

function setup(wakeHoldMs = 0) {
  let now = 0;
  let caughtUp = false; // what every probe finds
  const out = recorder();
  const gen = new BacklogAwareIdlenessGenerator<number>(
    highest(),
    { caughtUpSince: () => caughtUp },
    { currentProcessingTime: () => now },
    1000,
    wakeHoldMs,
  );
  const tick = (to: number) => {
    for (; now < to; ) {
      now += 100;
      gen.onPeriodicEmit(out);
    }
  };
  return {
    gen,
    out,
    tick,
    setCaughtUp: (v: boolean) => {
      caughtUp = v;
    },
    now: () => now,
  };
}

describe('backlog-aware idleness', () => {
  it('a quiet partition that was read to its end goes idle after the timeout, and its next event wakes it', () => {
    const s = setup();
    s.setCaughtUp(true);
    s.gen.onEvent(1, 500, s.out);
    s.tick(1000);
    expect(s.gen.isIdle()).toBe(false);
    expect(s.out.log.at(-1)).toBe('wm 500');
    s.tick(2300);
    expect(s.gen.isIdle()).toBe(true);
    expect(s.out.log.filter((l) => l === 'idle')).toHaveLength(1);
    const before = s.out.log.length;
    s.tick(4000);
    expect(s.out.log.length).toBe(before); // idle: no watermark that would reactivate it
    s.gen.onEvent(2, 900, s.out);
    expect(s.out.log.at(-1)).toBe('active');
    s.tick(4100);
    expect(s.out.log.at(-1)).toBe('wm 900');
  });

  it('a partition with a backlog is never idle, however long no event came', () => {
    const s = setup();
    s.setCaughtUp(false);
    s.tick(60_000);
    expect(s.gen.isIdle()).toBe(false);
    expect(s.out.log).not.toContain('idle');
  });

  it('an idle partition whose probe finds records to read becomes active before any event', () => {
    const s = setup();
    s.setCaughtUp(true);
    s.tick(3000);
    expect(s.gen.isIdle()).toBe(true);
    s.setCaughtUp(false);
    s.tick(3100);
    expect(s.gen.isIdle()).toBe(false);
    expect(s.out.log.at(-1)).toBe('active');
  });

  it('only a probe sent after the quiet began counts', () => {
    let now = 0;
    let probedAt = 50; // one probe, early
    const out = recorder();
    const gen = new BacklogAwareIdlenessGenerator<number>(
      highest(),
      { caughtUpSince: (since) => probedAt >= since },
      { currentProcessingTime: () => now },
      1000,
      0,
    );
    gen.onEvent(1, 10, out);
    for (now = 100; now <= 3000; now += 100) gen.onPeriodicEmit(out);
    expect(gen.isIdle()).toBe(false); // quiet since 200, the only probe was at 50
    probedAt = 3000;
    now += 100;
    gen.onPeriodicEmit(out);
    expect(gen.isIdle()).toBe(true);
  });

  it('holds the watermark for wakeHoldMs after waking up', () => {
    const s = setup(500);
    s.setCaughtUp(true);
    s.gen.onEvent(1, 100, s.out);
    s.tick(2500);
    expect(s.gen.isIdle()).toBe(true);
    s.gen.onEvent(2, 700, s.out);
    const woke = s.now();
    s.tick(woke + 400);
    expect(s.out.log.at(-1)).toBe('active');
    s.tick(woke + 600);
    expect(s.out.log.at(-1)).toBe('wm 700');
  });

  it("keeps the wrapped strategy's timestamp assigner", () => {
    const strategy = WatermarkStrategy.forMonotonousTimestamps<{ at: number }>().withTimestampAssigner(
      (e) => e.at,
    );
    const wrapped = backlogAwareIdleness(strategy, { caughtUpSince: () => true }, { idleTimeoutMs: 1000 });
    expect(wrapped.createTimestampAssigner()({ at: 42 }, 0)).toBe(42);
    expect(() =>
      backlogAwareIdleness(strategy, { caughtUpSince: () => true }, { idleTimeoutMs: 0 }),
    ).toThrow();
  });
});

describe('TaskCommitContext.caughtUpSince', () => {
  const record = (offset: number): KafkaRecord => ({
    topic: 't',
    partition: 0,
    offset,
    timestamp: 0,
    key: null,
    value: null,
    headers: {},
  });

  it('needs a probe sent since then, everything below its end fetched and nothing buffered', () => {
    const ctx = new TaskCommitContext('t', 0, 5, 100, () => {});
    expect(ctx.caughtUpSince(0)).toBe(false); // no probe yet
    ctx.noteEndOffset(7, 1000);
    expect(ctx.caughtUpSince(0)).toBe(false); // offsets 5 and 6 not fetched
    ctx.push([record(5), record(6)]);
    expect(ctx.caughtUpSince(0)).toBe(false); // fetched, not processed
    ctx.take(10);
    expect(ctx.caughtUpSince(0)).toBe(true);
    expect(ctx.caughtUpSince(1000)).toBe(true);
    expect(ctx.caughtUpSince(1001)).toBe(false); // the probe is older than the quiet
    ctx.noteEndOffset(9, 2000);
    expect(ctx.caughtUpSince(1500)).toBe(false); // records 7, 8 arrived
  });
});
