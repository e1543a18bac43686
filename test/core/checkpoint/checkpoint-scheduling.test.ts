import { describe, expect, it } from 'vitest';
import {
  AbstractStreamOperator,
  CheckpointException,
  ManualClock,
  type OneInputStreamOperator,
  type OperatorSnapshot,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { QueueFeed, QueueSource, settle, waitFor } from './helpers.js';

/** Chained to the source: its snapshot time is the checkpoint's trigger time. */
class TriggerRecorder
  extends AbstractStreamOperator<string>
  implements OneInputStreamOperator<string, string>
{
  constructor(private readonly log: { id: number; at: number }[]) {
    super();
  }
  processElement(v: string, ts: number): void {
    this.output.collect(v, ts);
  }
  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.log.push({ id: checkpointId, at: this.params.clock.now() });
    return super.snapshotState(checkpointId);
  }
}

/** A sink in its own task that stalls on 'block' (an async write that does not finish). */
class BlockingSink extends AbstractStreamOperator<never> implements OneInputStreamOperator<string, never> {
  constructor(private readonly probe: Probe) {
    super();
  }
  processElement(v: string): void {
    if (v === 'block') this.params.blockOn(this.probe.blocked);
  }
  notifyCheckpointComplete(id: number): void {
    this.probe.completed.push(id);
  }
  notifyCheckpointAborted(id: number): void {
    this.probe.aborted.push(id);
  }
}

class Probe {
  readonly triggers: { id: number; at: number }[] = [];
  readonly completed: number[] = [];
  readonly aborted: number[] = [];
  release!: () => void;
  blocked = new Promise<void>((r) => (this.release = r));
}

function start(configure: (env: StreamExecutionEnvironment) => void, chainSink = false) {
  const clock = new ManualClock(0);
  const probe = new Probe();
  const feed = new QueueFeed<string>();
  const env = new StreamExecutionEnvironment({ parallelism: 1, clock, autoWatermarkInterval: 0 });
  configure(env);
  const sink = env
    .fromSource(new QueueSource(feed), WatermarkStrategy.noWatermarks(), 'queue')
    .transform('recorder', () => new TriggerRecorder(probe.triggers))
    .transform('blocking sink', () => new BlockingSink(probe));
  if (!chainSink) sink.disableChaining();
  const job = env.execute('scheduling');
  return { clock, probe, feed, job };
}

/** Moves the manual clock in steps, letting the job react after each. */
async function advanceTo(clock: ManualClock, time: number, step = 10): Promise<void> {
  while (clock.now() < time) {
    clock.advance(Math.min(step, time - clock.now()));
    await settle();
  }
}

describe('checkpoint scheduling on the job clock', () => {
  it('triggers every interval and completes (notifyCheckpointComplete on every operator)', async () => {
    const { clock, probe, job } = start((env) => env.enableCheckpointing(100));
    await waitFor(() => job.getExecution().getTasks().length === 2, 'deployed');
    await advanceTo(clock, 350);
    expect(probe.triggers).toEqual([
      { id: 1, at: 100 },
      { id: 2, at: 200 },
      { id: 3, at: 300 },
    ]);
    expect(probe.completed).toEqual([1, 2, 3]);
    expect(job.getCheckpointStats()).toMatchObject({
      numberOfCompletedCheckpoints: 3,
      numberOfFailedCheckpoints: 0,
      numberOfInProgressCheckpoints: 0,
      lastCompleted: { checkpointId: 3, triggerTimestamp: 300, duration: 0 },
    });
    await job.cancel();
  });

  it('a checkpoint that cannot complete (sink blocked) expires after the timeout; operators hear notifyCheckpointAborted', async () => {
    const { clock, probe, feed, job } = start((env) =>
      env.enableCheckpointing(100).getCheckpointConfig().setCheckpointTimeout(50),
    );
    feed.push('block');
    await waitFor(() => feed.emitted === 1, 'block read');
    await settle();
    const manual = job.triggerCheckpoint(); // triggered at 0, times out at 50
    const outcome = manual.then(
      () => 'completed',
      (e: unknown) => e,
    );
    await advanceTo(clock, 60);
    const err = await outcome;
    expect(err).toBeInstanceOf(CheckpointException);
    expect((err as CheckpointException).reason).toMatch(/expired/);
    expect(probe.aborted).toEqual([1]);
    expect(job.getCheckpointStats().numberOfFailedCheckpoints).toBe(1);
    // The periodic one at 100 expires too while the sink stays blocked.
    await advanceTo(clock, 160);
    expect(probe.aborted).toEqual([1, 2]);
    // Unblocked, the late barriers pass (their acknowledgements are ignored) and checkpoints resume.
    probe.release();
    await advanceTo(clock, 210);
    expect(probe.completed).toEqual([3]);
    expect(job.getCheckpointStats().numberOfCompletedCheckpoints).toBe(1);
    await job.cancel();
  });

  it('minPauseBetweenCheckpoints delays the next trigger after the end of the previous one', async () => {
    const { clock, probe, job } = start((env) =>
      env.enableCheckpointing(100).getCheckpointConfig().setMinPauseBetweenCheckpoints(150),
    );
    await waitFor(() => job.getExecution().getTasks().length === 2, 'deployed');
    await advanceTo(clock, 500);
    // 100 completes at 100; the timer at 200 is too early (100 + 150), so it fires at 250; etc.
    expect(probe.triggers.map((t) => t.at)).toEqual([100, 250, 400]);
    await job.cancel();
  });

  it('maxConcurrentCheckpoints: a trigger waits for a free slot', async () => {
    const { clock, probe, feed, job } = start((env) =>
      env.enableCheckpointing(100).getCheckpointConfig().setMaxConcurrentCheckpoints(2),
    );
    feed.push('block');
    await waitFor(() => feed.emitted === 1, 'block read');
    await advanceTo(clock, 350);
    // 100 and 200 are in flight (the sink is blocked); 300 finds no slot.
    expect(probe.triggers.map((t) => t.at)).toEqual([100, 200]);
    expect(job.getCheckpointStats().numberOfInProgressCheckpoints).toBe(2);
    probe.release();
    await settle();
    // Both complete at 350; the waiting trigger runs at once, then the interval resumes.
    expect(probe.completed).toEqual([1, 2, 3]);
    expect(probe.triggers.map((t) => t.at)).toEqual([100, 200, 350]);
    await advanceTo(clock, 460);
    expect(probe.triggers.map((t) => t.at)).toEqual([100, 200, 350, 450]);
    await job.cancel();
  });

  it('default maxConcurrentCheckpoints 1: no trigger while one is in flight', async () => {
    const { clock, probe, feed, job } = start((env) => env.enableCheckpointing(100));
    feed.push('block');
    await waitFor(() => feed.emitted === 1, 'block read');
    await advanceTo(clock, 450);
    expect(probe.triggers.map((t) => t.at)).toEqual([100]);
    probe.release();
    await settle();
    expect(probe.triggers.map((t) => t.at)).toEqual([100, 450]);
    await job.cancel();
  });

  it('a source task paused on an async write takes its snapshot (and emits the barrier) once the write settled', async () => {
    const { clock, probe, feed, job } = start((env) => env.enableCheckpointing(100), true);
    feed.push('block');
    await waitFor(() => feed.emitted === 1, 'block read');
    await advanceTo(clock, 120);
    expect(probe.triggers).toEqual([]); // triggered at 100, deferred
    expect(job.getCheckpointStats().numberOfInProgressCheckpoints).toBe(1);
    probe.release();
    await settle();
    expect(probe.triggers).toEqual([{ id: 1, at: 120 }]);
    expect(probe.completed).toEqual([1]);
    expect(job.getCheckpointStats().lastCompleted).toMatchObject({ triggerTimestamp: 100, duration: 20 });
    await job.cancel();
  });
});
