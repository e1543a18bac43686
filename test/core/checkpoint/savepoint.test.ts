import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbstractStreamOperator,
  type Collector,
  ExternalizedCheckpointRetention,
  FileCheckpointStorage,
  FileSavepointStorage,
  JobStatus,
  type KeyedProcessContext,
  KeyedProcessFunction,
  type ListState,
  ListStateDescriptor,
  type OneInputStreamOperator,
  RestartStrategies,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator, QueueFeed, QueueSource, waitFor } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'savepoint-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEYS = 37;
const events: string[] = Array.from({ length: 300 }, (_, i) => `k${(i * 7) % KEYS}`);

/** Running count per key: `k3#5` is the 5th event of key k3, so a lost or doubled count shows. */
class Count extends KeyedProcessFunction<string, string, string> {
  private count!: ValueState<number>;
  constructor(private readonly tag = '') {
    super();
  }
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_e: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(`${this.tag}${ctx.getCurrentKey()}#${c}`);
  }
}

/** The output of an uninterrupted run over `input`, as a sorted multiset. */
function expectedCounts(input: readonly string[], tag = ''): string[] {
  const counts = new Map<string, number>();
  return input
    .map((k) => {
      const c = (counts.get(k) ?? 0) + 1;
      counts.set(k, c);
      return `${tag}${k}#${c}`;
    })
    .sort();
}

interface JobShape {
  readonly parallelism: number;
  /** A stateful keyed operator 'dedupe-count' before the counter (removed in later versions). */
  readonly withExtra?: boolean;
  /** A second counter 'added' after the first (added in a later version). */
  readonly withAdded?: boolean;
  readonly maxParallelism?: number;
}

/** events (parallelism 1, one split) -> keyBy -> count (uid 'count') -> committing sink. */
function countJob(
  shape: JobShape,
  feed: QueueFeed<string>,
  store: CommitStore<string>,
): StreamExecutionEnvironment {
  const env = new StreamExecutionEnvironment({ parallelism: shape.parallelism });
  if (shape.maxParallelism !== undefined) env.setMaxParallelism(shape.maxParallelism);
  env.enableCheckpointing(1_000_000); // on, so the sink commits at the final checkpoint
  let stream = env
    .fromSource(new QueueSource(feed, 7), WatermarkStrategy.noWatermarks(), 'events')
    .setParallelism(1)
    .uid('events');
  if (shape.withExtra) {
    stream = stream
      .keyBy((e) => e)
      .process(new Count('x-'))
      .uid('extra')
      .map((s) => s.slice(2, s.indexOf('#')))
      .uid('extra-strip');
  }
  let counted = stream
    .keyBy((e) => e)
    .process(new Count())
    .uid('count');
  if (shape.withAdded) {
    counted = counted
      .keyBy((s) => s.slice(0, s.indexOf('#')))
      .process(
        new (class extends KeyedProcessFunction<string, string, string> {
          private n!: ValueState<number>;
          override open(): void {
            this.n = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('n'));
          }
          processElement(s: string, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
            const n = (this.n.value() ?? 0) + 1;
            this.n.update(n);
            out.collect(`${s}|added=${n}`);
          }
        })(),
      )
      .uid('added');
  }
  counted.transform('commit', () => new CommittingSinkOperator(store)).uid('commit');
  return env;
}

describe('stop-with-savepoint and restore into a rescaled job', () => {
  it('2 -> 3 -> 1: keyed counts continue exactly, committed exactly once', async () => {
    // The uninterrupted run at the original parallelism.
    const expectedStore = new CommitStore<string>();
    await countJob({ parallelism: 2 }, new QueueFeed<string>().push(...events).end(), expectedStore).execute(
      'uninterrupted',
    );
    const expected = expectedStore.values().sort();
    expect(expected).toEqual(expectedCounts(events));

    const store = new CommitStore<string>();
    const savepoints = join(dir, 'savepoints');

    // Version 1 at parallelism 2: 80 events, then stop with a savepoint.
    const feed1 = new QueueFeed<string>().push(...events.slice(0, 80));
    const job1 = countJob({ parallelism: 2 }, feed1, store).execute('v1');
    await waitFor(() => feed1.emitted === 80, '80 events read');
    const sp1 = await job1.stopWithSavepoint(savepoints);
    const result1 = await job1;
    expect(result1.status).toBe(JobStatus.FINISHED);
    expect(result1.savepointPath).toBe(sp1);
    expect(basename(sp1)).toMatch(new RegExp(`^savepoint-${job1.jobId}-\\d+$`));
    // The sink committed exactly what the savepoint covers.
    expect(store.values().sort()).toEqual(expectedCounts(events.slice(0, 80)));

    // Version 2 at parallelism 3 (the sink too): 150 events in all, stop again.
    const feed2 = new QueueFeed<string>().push(...events.slice(0, 150));
    const job2 = countJob({ parallelism: 3 }, feed2, store).execute({ jobName: 'v2', restoreFrom: sp1 });
    await waitFor(() => feed2.emitted === 150, '150 events read');
    const sp2 = await job2.stopWithSavepoint(savepoints);
    expect((await job2).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(expectedCounts(events.slice(0, 150)));

    // Version 3 at parallelism 1 reads to the end.
    const job3 = countJob({ parallelism: 1 }, new QueueFeed<string>().push(...events).end(), store).execute({
      jobName: 'v3',
      restoreFrom: sp2,
    });
    expect((await job3).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(expected);
    expect(store.values()).toHaveLength(events.length); // no duplicate
  });

  it('emits nothing after the cut, even to a sink that does not commit', async () => {
    const seen: string[] = [];
    class Collect extends AbstractStreamOperator<never> implements OneInputStreamOperator<string, never> {
      processElement(v: string): void {
        seen.push(v);
      }
    }
    const build = (parallelism: number, feed: QueueFeed<string>) => {
      const env = new StreamExecutionEnvironment({ parallelism });
      env.enableCheckpointing(20); // periodic checkpoints running while the job stops
      env
        .fromSource(new QueueSource(feed, 5), WatermarkStrategy.noWatermarks(), 'events')
        .setParallelism(1)
        .uid('events')
        .keyBy((e) => e)
        .process(new Count())
        .uid('count')
        .transform('collect', () => new Collect())
        .uid('collect');
      return env;
    };
    const feed = new QueueFeed<string>().push(...events.slice(0, 100));
    const job = build(2, feed).execute('stop');
    await waitFor(() => feed.emitted === 100, 'read');
    const path = await job.stopWithSavepoint(join(dir, 'sp'));
    expect((await job).status).toBe(JobStatus.FINISHED);
    expect(seen.slice().sort()).toEqual(expectedCounts(events.slice(0, 100)));
    // Input that arrives after the stop is not read by the stopped job.
    feed.push(...events.slice(100, 120));
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(100);

    // The new run continues at position 100: the at-least-once sink sees every count once.
    await build(3, new QueueFeed<string>().push(...events).end()).execute({ restoreFrom: path });
    expect(seen.slice().sort()).toEqual(expectedCounts(events));
  });

  it('the job keeps running when the savepoint cannot be written', async () => {
    const store = new CommitStore<string>();
    const feed = new QueueFeed<string>().push(...events.slice(0, 50));
    const job = countJob({ parallelism: 2 }, feed, store).execute('keeps-running');
    await waitFor(() => feed.emitted === 50, 'read');
    // A file where the target directory should be: mkdir fails.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'not-a-dir'), 'x');
    await expect(job.stopWithSavepoint(join(dir, 'not-a-dir'))).rejects.toThrow(
      /storing the checkpoint failed/,
    );
    expect(job.getJobStatus()).toBe(JobStatus.RUNNING);
    feed.push(...events.slice(50)).end();
    expect((await job).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(expectedCounts(events));
  });
});

describe('savepoints (triggerSavepoint)', () => {
  it('an intermediate savepoint commits nothing; a job restored from it at another parallelism commits all', async () => {
    const store1 = new CommitStore<string>();
    const feed1 = new QueueFeed<string>().push(...events.slice(0, 120));
    const job1 = countJob({ parallelism: 3 }, feed1, store1).execute('running');
    await waitFor(() => feed1.emitted === 120, 'read');
    const path = await job1.triggerSavepoint(join(dir, 'sp'));
    expect(job1.getJobStatus()).toBe(JobStatus.RUNNING);
    expect(store1.commits).toBe(0); // as in Flink 1.15+: side effects wait for a checkpoint
    feed1.push(...events.slice(120, 160)); // after the savepoint: not in it
    await waitFor(() => feed1.emitted === 160, 'more read');
    await job1.cancel();

    const loaded = await FileCheckpointStorage.loadFrom(path);
    expect(loaded.kind).toBe('savepoint');

    // A new job at parallelism 2 from the savepoint: it commits the savepoint's sealed output, then
    // continues at position 120.
    const store2 = new CommitStore<string>();
    await countJob({ parallelism: 2 }, new QueueFeed<string>().push(...events).end(), store2).execute({
      restoreFrom: path,
    });
    expect(store2.values().sort()).toEqual(expectedCounts(events));
  });

  it('survives retention, is never used by restarts or restore-from-latest', async () => {
    const checkpoints = join(dir, 'chk');
    const store = new CommitStore<string>();
    const feed = new QueueFeed<string>().push(...events.slice(0, 60));
    let reads = 0;
    let failOnce = false;
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    env.enableCheckpointing(1_000_000);
    env
      .getCheckpointConfig()
      .setCheckpointStorage(checkpoints)
      .setMaxRetainedCheckpoints(1)
      .setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 0));
    env
      .fromSource(new QueueSource(feed, 7), WatermarkStrategy.noWatermarks(), 'events')
      .setParallelism(1)
      .uid('events')
      .map((e) => {
        reads++;
        if (failOnce && reads > 105) {
          failOnce = false;
          throw new Error('boom');
        }
        return e;
      })
      .setParallelism(1)
      .uid('reads')
      .keyBy((e) => e)
      .process(new Count())
      .uid('count')
      .transform('commit', () => new CommittingSinkOperator(store))
      .uid('commit');
    const job = env.execute('retention');
    await waitFor(() => feed.emitted === 60, 'read');
    const cp1 = await job.triggerCheckpoint(); // at 60
    feed.push(...events.slice(60, 90));
    await waitFor(() => feed.emitted === 90, 'read');
    // Into the checkpoint directory itself: still outside retention and "latest".
    const sp = await job.triggerSavepoint(checkpoints);
    expect(basename(sp)).toBe(`savepoint-${job.jobId}-${cp1.checkpointId + 1}`);
    const cp2 = await job.triggerCheckpoint(); // at 90, deletes chk-1 (one retained)
    const cp3 = await job.triggerCheckpoint(); // deletes chk-<cp2>
    expect((await readdir(checkpoints)).sort()).toEqual([`chk-${cp3.checkpointId}`, basename(sp)].sort());
    expect((await FileCheckpointStorage.loadFrom(checkpoints)).checkpointId).toBe(cp3.checkpointId);
    expect(cp2.checkpointId).toBeGreaterThan(cp1.checkpointId);

    // A savepoint newer than the latest checkpoint: a restart still goes back to the checkpoint.
    feed.push(...events.slice(90, 100));
    await waitFor(() => feed.emitted === 100, 'read');
    const sp2 = await job.triggerSavepoint(join(dir, 'sp'));
    expect(reads).toBe(100);
    failOnce = true;
    feed.push(...events.slice(100, 120)); // fails at read 106: restart from cp3 (position 90)
    await waitFor(() => job.getNumberOfRestarts() === 1 && reads >= 136, 'restart and replay');
    // 106 reads before the failure, then 90..120 again (from sp2's position 100 it would be 126).
    expect(reads).toBe(136);
    await job.cancel();
    // DELETE_ON_CANCELLATION removed the job's checkpoints, not the savepoints.
    expect(await readdir(checkpoints)).toEqual([basename(sp)]);
    expect(existsSync(join(sp, '_metadata'))).toBe(true);
    expect(existsSync(join(sp2, '_metadata'))).toBe(true);
    expect((await new FileSavepointStorage(join(dir, 'sp'), job.jobId).list()).map((h) => h.kind)).toEqual([
      'savepoint',
    ]);
    // Committed: what cp1..cp3 cover; neither savepoint committed anything.
    expect(store.values().sort()).toEqual(expectedCounts(events.slice(0, 90)));
  });
});

describe('restoring a savepoint into a new version of the job', () => {
  async function savepointOf(
    shape: JobShape,
    n: number,
  ): Promise<{ path: string; store: CommitStore<string> }> {
    const store = new CommitStore<string>();
    const feed = new QueueFeed<string>().push(...events.slice(0, n));
    const job = countJob(shape, feed, store).execute('v1');
    await waitFor(() => feed.emitted === n, 'read');
    const path = await job.stopWithSavepoint(join(dir, 'sp'));
    await job;
    return { path, store };
  }

  it('a removed stateful operator fails the start, naming its uids; allowNonRestoredState skips them', async () => {
    const { path, store } = await savepointOf({ parallelism: 2, withExtra: true }, 100);
    const feed = () => new QueueFeed<string>().push(...events).end();
    await expect(
      countJob({ parallelism: 2 }, feed(), new CommitStore()).execute({ restoreFrom: path }),
    ).rejects.toThrow(
      /operators the job does not have: uid 'extra', uid 'extra-strip'.*allowNonRestoredState/,
    );
    await countJob({ parallelism: 3 }, feed(), store).execute({
      restoreFrom: path,
      allowNonRestoredState: true,
    });
    expect(store.values().sort()).toEqual(expectedCounts(events));
  });

  it('an added operator starts with empty state', async () => {
    const { path, store } = await savepointOf({ parallelism: 2 }, 100);
    const added = new CommitStore<string>();
    await countJob(
      { parallelism: 3, withAdded: true },
      new QueueFeed<string>().push(...events).end(),
      added,
    ).execute({
      restoreFrom: path,
    });
    // 'count' continues; 'added' counts only what it saw after the restore.
    const after = events.slice(100);
    const counts = new Map<string, number>();
    const fresh = new Map<string, number>();
    for (const k of events.slice(0, 100)) counts.set(k, (counts.get(k) ?? 0) + 1);
    const expected = after.map((k) => {
      const c = (counts.get(k) ?? 0) + 1;
      counts.set(k, c);
      const n = (fresh.get(k) ?? 0) + 1;
      fresh.set(k, n);
      return `${k}#${c}|added=${n}`;
    });
    // The restored sink re-commits the savepoint's batches (idempotent in the real store).
    expect(added.values().sort()).toEqual([...expectedCounts(events.slice(0, 100)), ...expected].sort());
    expect(store.values()).toHaveLength(100);
  });

  it('refuses keyed state with another maxParallelism', async () => {
    const { path } = await savepointOf({ parallelism: 2, maxParallelism: 128 }, 50);
    await expect(
      countJob(
        { parallelism: 2, maxParallelism: 64 },
        new QueueFeed<string>().end(),
        new CommitStore(),
      ).execute({
        restoreFrom: path,
      }),
    ).rejects.toThrow(/uid 'count'\) has maxParallelism 128, the job 64.*setMaxParallelism\(128\)/);
  });

  it('refuses keyed state for an operator that is no longer keyed', async () => {
    const { path } = await savepointOf({ parallelism: 2 }, 50);
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    env
      .fromSource(
        new QueueSource(new QueueFeed<string>().end(), 7),
        WatermarkStrategy.noWatermarks(),
        'events',
      )
      .setParallelism(1)
      .uid('events')
      .map((e) => e)
      .uid('count')
      .transform('commit', () => new CommittingSinkOperator(new CommitStore<string>()))
      .uid('commit');
    await expect(env.execute({ restoreFrom: path })).rejects.toThrow(
      /has keyed state for uid 'count', but operator 'Map' of the job is not keyed/,
    );
  });

  it('redistributes operator list state round robin and union list state to every instance', async () => {
    const restored: { op: string; subtask: number; list: string[]; union: string[] }[] = [];
    class Holder extends AbstractStreamOperator<string> implements OneInputStreamOperator<string, string> {
      private list!: ListState<string>;
      private union!: ListState<string>;
      constructor(private readonly op: string) {
        super();
      }
      override open(): void {
        const sub = this.params.taskInfo.indexOfThisSubtask;
        this.list = this.operatorStateBackend.getListState(new ListStateDescriptor<string>('list'));
        this.union = this.operatorStateBackend.getUnionListState(new ListStateDescriptor<string>('union'));
        restored.push({
          op: this.op,
          subtask: sub,
          list: [...this.list.get()],
          union: [...this.union.get()],
        });
      }
      processElement(v: string, timestamp: number): void {
        const sub = this.params.taskInfo.indexOfThisSubtask;
        this.list.add(`${sub}:${v}`);
        this.union.add(`u${sub}:${v}`);
        this.output.collect(v, timestamp);
      }
    }
    const build = (parallelism: number, feed: QueueFeed<string>) => {
      const env = new StreamExecutionEnvironment({ parallelism });
      env
        .fromSource(new QueueSource(feed, 5), WatermarkStrategy.noWatermarks(), 'events')
        .setParallelism(1)
        .uid('events')
        .rebalance()
        .transform('first', () => new Holder('first'))
        .uid('first')
        .transform('second', () => new Holder('second'))
        .uid('second');
      return env;
    };
    const feed = new QueueFeed<string>().push(...events.slice(0, 11));
    const job = build(2, feed).execute('v1');
    await waitFor(() => feed.emitted === 11, 'read');
    const path = await job.stopWithSavepoint(join(dir, 'sp'));
    await job;
    restored.length = 0;
    await build(3, new QueueFeed<string>().end()).execute({ restoreFrom: path });
    for (const op of ['first', 'second']) {
      const instances = restored.filter((r) => r.op === op);
      expect(instances.map((r) => r.subtask).sort()).toEqual([0, 1, 2]);
      // List state: the 11 entries of both former instances, split round robin (4, 4, 3).
      expect(instances.flatMap((r) => r.list).sort()).toHaveLength(11);
      expect(new Set(instances.flatMap((r) => r.list)).size).toBe(11);
      expect(instances.map((r) => r.list.length).sort()).toEqual([3, 4, 4]);
      // Union list state: every instance gets all 11.
      for (const r of instances) expect(r.union).toHaveLength(11);
    }
  });
});
