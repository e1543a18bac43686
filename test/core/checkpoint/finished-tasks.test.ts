import { describe, expect, it } from 'vitest';
import {
  AbstractStreamOperator,
  JobStatus,
  type OneInputStreamOperator,
  RestartStrategies,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator, QueueFeed, QueueSource, waitFor } from './helpers.js';

/** Emits one more record from an async `finish` (an async flush), once released. */
class SlowFinish extends AbstractStreamOperator<string> implements OneInputStreamOperator<string, string> {
  constructor(private readonly flushed: Promise<void>) {
    super();
  }
  processElement(v: string, ts: number): void {
    this.output.collect(v, ts);
  }
  override async finish(): Promise<void> {
    await this.flushed;
    this.output.collect('flushed', 0);
  }
}

describe('checkpoints and finished tasks', () => {
  it('a finished task takes part with its final state; the final checkpoint commits the rest', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    env.enableCheckpointing(1_000_000);
    const feed = new QueueFeed<string>().push('q1', 'q2');
    const store = new CommitStore<string>();
    env
      .fromElements('e1', 'e2', 'e3')
      .uid('elements')
      .union(env.fromSource(new QueueSource(feed), WatermarkStrategy.noWatermarks(), 'queue').uid('queue'))
      .transform('commit', () => new CommittingSinkOperator(store))
      .uid('commit');
    const job = env.execute('finishing');
    const tasks = () => job.getExecution().getTasks();
    await waitFor(
      () => tasks().length === 3 && tasks()[0]!.state === 'FINISHED' && feed.emitted === 2,
      'elements source finished',
    );
    const cp = await job.triggerCheckpoint();
    expect(store.values().sort()).toEqual(['e1', 'e2', 'e3', 'q1', 'q2']);
    feed.push('q3');
    await waitFor(() => feed.emitted === 3, 'q3 read');
    await job.cancel();

    // Restored: the finished source stays finished (its final state has no split left), the queue
    // resumes after q2, and nothing is committed twice.
    const env2 = new StreamExecutionEnvironment({ parallelism: 1 });
    env2.enableCheckpointing(1_000_000);
    const feed2 = new QueueFeed<string>().push('q1', 'q2', 'q3', 'q4').end();
    env2
      .fromElements('e1', 'e2', 'e3')
      .uid('elements')
      .union(env2.fromSource(new QueueSource(feed2), WatermarkStrategy.noWatermarks(), 'queue').uid('queue'))
      .transform('commit', () => new CommittingSinkOperator(store))
      .uid('commit');
    expect((await env2.execute({ restoreFrom: cp })).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(['e1', 'e2', 'e3', 'q1', 'q2', 'q3', 'q4']);
  });

  it('a checkpoint waits for a finishing task and completes when it finished', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    env.enableCheckpointing(1_000_000);
    const feed = new QueueFeed<string>().push('q1');
    const store = new CommitStore<string>();
    let releaseFlush!: () => void;
    const flushed = new Promise<void>((r) => (releaseFlush = r));
    env
      .fromElements('e1')
      .transform('slow finish', () => new SlowFinish(flushed))
      .union(env.fromSource(new QueueSource(feed), WatermarkStrategy.noWatermarks(), 'queue'))
      .transform('commit', () => new CommittingSinkOperator(store));
    const job = env.execute('finishing slowly');
    const tasks = () => job.getExecution().getTasks();
    await waitFor(
      () => tasks().length === 3 && tasks()[0]!.state === 'FINISHING' && feed.emitted === 1,
      'finishing',
    );
    let done = false;
    const cp = job.triggerCheckpoint().then((c) => {
      done = true;
      return c;
    });
    await waitFor(
      () => store.values().length === 0 && job.getCheckpointStats().numberOfInProgressCheckpoints === 1,
      'pending',
    );
    expect(done).toBe(false);
    releaseFlush();
    expect((await cp).checkpointId).toBe(1);
    // The record emitted while finishing reached the sink before the task's end: it is in the cut.
    expect(store.values().sort()).toEqual(['e1', 'flushed', 'q1']);
    feed.end();
    await job;
  });

  it('without checkpointing there is no final checkpoint (nothing is committed)', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    const store = new CommitStore<string>();
    env.fromElements('a').transform('commit', () => new CommittingSinkOperator(store));
    const job = env.execute();
    await job;
    expect(store.values()).toEqual([]);
    expect(job.getCheckpointStats().numberOfCompletedCheckpoints).toBe(0);
  });

  it('a commit failing at the final checkpoint fails the job', async () => {
    class FailingCommit
      extends AbstractStreamOperator<never>
      implements OneInputStreamOperator<string, never>
    {
      processElement(): void {}
      notifyCheckpointComplete(): void {
        throw new Error('commit failed');
      }
    }
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    env.enableCheckpointing(1_000_000).setRestartStrategy(RestartStrategies.noRestart());
    env.fromElements('a').transform('failing commit', () => new FailingCommit());
    const job = env.execute();
    await expect(job).rejects.toThrow(/commit failed/);
    expect(job.getJobStatus()).toBe(JobStatus.FAILED);
  });
});
