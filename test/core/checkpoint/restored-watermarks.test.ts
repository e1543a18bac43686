/**
 * After a restore, an operator's inputs start at its restored event time. Here a two-input operator
 * has a quiet input (one record long ago: its source never emits a watermark again after the
 * restart) and a busy one; event time must keep advancing with the busy input alone, as it did
 * before the failure. (Before the fix the quiet input held the minimum at -∞ forever.)
 */
import { describe, expect, it } from 'vitest';
import {
  type Collector,
  KeyedCoProcessFunction,
  type KeyedOnTimerContext,
  type KeyedProcessContext,
  ManualClock,
  RestartStrategies,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator, QueueFeed, QueueSource, waitFor } from './helpers.js';

/** A timer at each event's timestamp; fired timers are the output. */
class TimerPerEvent extends KeyedCoProcessFunction<number, string, number, string> {
  processElement1(): void {}

  processElement2(ts: number, ctx: KeyedProcessContext<number>): void {
    ctx.timerService().registerEventTimeTimer(ts);
  }

  override onTimer(timestamp: number, _ctx: KeyedOnTimerContext<number>, out: Collector<string>): void {
    out.collect(`fired ${timestamp}`);
  }
}

describe('restored watermarks', () => {
  it('a quiet input does not freeze event time after a restart from a checkpoint', async () => {
    const clock = new ManualClock(0);
    const rules = new QueueFeed<string>().push('rule');
    const events = new QueueFeed<number>();
    const store = new CommitStore<string>();
    let failed = false;
    const env = new StreamExecutionEnvironment({ parallelism: 1, clock, autoWatermarkInterval: 5 });
    env.enableCheckpointing(20).setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 0));
    const quiet = env
      .fromSource(
        new QueueSource(rules),
        WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(() => 1_000_000),
        'rules',
      )
      .keyBy(() => 0);
    const busy = env
      .fromSource(
        new QueueSource(events),
        WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((t) => t),
        'events',
      )
      .map((t) => {
        if (t === 50 && !failed) {
          failed = true;
          throw new Error('boom');
        }
        return t;
      })
      .keyBy(() => 0);
    quiet
      .connect(busy)
      .process(new TimerPerEvent())
      .transform('commit', () => new CommittingSinkOperator(store));
    const job = env.execute('restored-watermarks');

    const fired = () => store.values().filter((v) => v.startsWith('fired')).length;
    events.push(...Array.from({ length: 10 }, (_, i) => i + 1));
    // Wait for a checkpoint that holds the timers of events 1..10 and their progress.
    await waitFor(
      () => {
        clock.advance(5);
        return fired() >= 8;
      },
      'timers before the failure',
      5000,
    );
    events.push(50); // fails once: the job restarts from its latest checkpoint
    await waitFor(
      () => {
        clock.advance(5);
        return job.getNumberOfRestarts() === 1;
      },
      'the restart',
      5000,
    );
    events.push(...Array.from({ length: 10 }, (_, i) => 100 + i));
    await waitFor(
      () => {
        clock.advance(5);
        return store.values().includes('fired 105');
      },
      'timers after the restart (event time advancing with the busy input alone)',
      5000,
    );
    rules.end();
    events.end();
    await job;
    const out = store.values();
    expect(new Set(out).size).toBe(out.length);
    expect(out).toContain('fired 50');
  });
});
