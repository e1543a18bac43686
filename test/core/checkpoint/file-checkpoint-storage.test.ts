import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Collector,
  type CompletedCheckpoint,
  ExternalizedCheckpointRetention,
  encodeOperatorSnapshot,
  FileCheckpointStorage,
  JobStatus,
  type KeyedProcessContext,
  KeyedProcessFunction,
  RestartStrategies,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator, QueueFeed, QueueSource, waitFor } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chk-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeCheckpoint(id: number): CompletedCheckpoint {
  return {
    jobId: 'job-x',
    jobName: 'fake',
    checkpointId: id,
    timestamp: 1000 + id,
    kind: 'checkpoint',
    finalCheckpoint: false,
    operators: {
      op: {
        parallelism: 2,
        maxParallelism: 128,
        subtasks: [encodeOperatorSnapshot({ watermark: id }), encodeOperatorSnapshot({ watermark: -id })],
        coordinator: new Uint8Array([1, 2, 3]),
      },
    },
  };
}

describe('FileCheckpointStorage', () => {
  it('round-trips a checkpoint through chk-<id>/state.bin and _metadata', async () => {
    const storage = new FileCheckpointStorage(dir);
    const pointer = await storage.store(fakeCheckpoint(3));
    expect(pointer).toBe(join(dir, 'chk-3'));
    expect((await readdir(pointer)).sort()).toEqual(['_metadata', 'state.bin']);
    const back = await storage.load(3);
    expect(back.checkpointId).toBe(3);
    expect(back.externalPointer).toBe(pointer);
    expect(back.operators.op!.subtasks.map((b) => [...b])).toEqual(
      fakeCheckpoint(3).operators.op!.subtasks.map((b) => [...b]),
    );
    expect([...back.operators.op!.coordinator!]).toEqual([1, 2, 3]);
    expect(await FileCheckpointStorage.loadFrom(join(pointer, '_metadata'))).toEqual(back);
  });

  it('ignores a torn checkpoint directory (no _metadata) in latest() and list()', async () => {
    const storage = new FileCheckpointStorage(dir);
    await storage.store(fakeCheckpoint(1));
    await storage.store(fakeCheckpoint(2));
    await mkdir(join(dir, 'chk-3'));
    await writeFile(join(dir, 'chk-3', 'state.bin'), 'half written');
    await writeFile(join(dir, 'chk-3', '_metadata.inprogress'), '{');
    expect((await storage.list()).map((h) => h.checkpointId)).toEqual([1, 2]);
    expect((await storage.latest())!.checkpointId).toBe(2);
    expect((await FileCheckpointStorage.loadFrom(dir)).checkpointId).toBe(2);
    await expect(FileCheckpointStorage.loadFrom(join(dir, 'chk-3'))).rejects.toThrow(
      /not a complete checkpoint/,
    );
  });

  it('rejects a corrupted data file and a newer format version', async () => {
    const storage = new FileCheckpointStorage(dir);
    await storage.store(fakeCheckpoint(1));
    await writeFile(join(dir, 'chk-1', 'state.bin'), new Uint8Array(10));
    await expect(storage.load(1)).rejects.toThrow(/corrupt/);
    await storage.store(fakeCheckpoint(2));
    const meta = join(dir, 'chk-2', '_metadata');
    const { readFile } = await import('node:fs/promises');
    const json = JSON.parse(await readFile(meta, 'utf8'));
    await writeFile(meta, JSON.stringify({ ...json, formatVersion: 99 }));
    await expect(storage.load(2)).rejects.toThrow(/format 99 is not supported/);
  });
});

/** Running sum per key; the output carries the sum so a wrong restore shows. */
class Sum extends KeyedProcessFunction<string, [string, number], string> {
  private sum!: ValueState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum'));
  }
  processElement(v: [string, number], ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const s = (this.sum.value() ?? 0) + v[1];
    this.sum.update(s);
    out.collect(`${ctx.getCurrentKey()}=${s}`);
  }
}

function sumJob(
  env: StreamExecutionEnvironment,
  feed: QueueFeed<[string, number]>,
  store: CommitStore<string>,
) {
  env
    .fromSource(new QueueSource(feed, 4), WatermarkStrategy.noWatermarks(), 'events')
    .setParallelism(1) // one split
    .uid('events')
    .keyBy((e) => e[0])
    .process(new Sum())
    .uid('sum')
    .transform('commit', () => new CommittingSinkOperator(store))
    .uid('commit');
}

const events: [string, number][] = Array.from({ length: 200 }, (_, i) => [`k${i % 7}`, i]);

/** What one uninterrupted run of the sum job commits, sorted. */
async function uninterruptedSums(): Promise<string[]> {
  const store = new CommitStore<string>();
  const env = new StreamExecutionEnvironment({ parallelism: 2 });
  env.enableCheckpointing(1_000_000); // on, so the sink commits at the final checkpoint
  sumJob(env, new QueueFeed<[string, number]>().push(...events).end(), store);
  await env.execute('uninterrupted');
  return store.values().sort();
}

/** Checkpoints on demand to `dir`, kept when the job is cancelled (incremental with a chain length). */
function retainingEnv(incrementalChain?: number): StreamExecutionEnvironment {
  const env = new StreamExecutionEnvironment({ parallelism: 2 });
  env.enableCheckpointing(1_000_000);
  const config = env
    .getCheckpointConfig()
    .setCheckpointStorage(dir)
    .setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
  if (incrementalChain !== undefined) config.enableIncrementalCheckpoints(incrementalChain);
  return env;
}

describe('checkpoints to files in a job', () => {
  it('keeps only the retained count, deleting older checkpoints after a new one completes', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    env.getCheckpointConfig().setCheckpointStorage(dir).setMaxRetainedCheckpoints(2);
    const feed = new QueueFeed<[string, number]>().push(...events);
    sumJob(env, feed, new CommitStore());
    const job = env.execute('retained');
    for (let i = 1; i <= 4; i++) {
      const cp = await job.triggerCheckpoint();
      expect(cp.checkpointId).toBe(i);
      expect(cp.externalPointer).toBe(join(dir, `chk-${i}`));
    }
    expect((await readdir(dir)).sort()).toEqual(['chk-3', 'chk-4']);
    // The savepoint hook: another storage, outside retention and the "latest" used by restarts.
    const savepoints = new FileCheckpointStorage(join(dir, '..', `${dir.split('/').pop()}-sp`));
    const sp = await job.triggerCheckpoint({ kind: 'savepoint', storage: savepoints });
    expect(sp).toMatchObject({ kind: 'savepoint', checkpointId: 5 });
    expect((await savepoints.list()).map((h) => h.kind)).toEqual(['savepoint']);
    expect((await readdir(dir)).sort()).toEqual(['chk-3', 'chk-4']);
    await rm(savepoints.directory, { recursive: true });
    expect(job.getCheckpointStats().numberOfCompletedCheckpoints).toBe(4);
    expect(job.getCheckpointStats().lastCompleted!.stateSize).toBeGreaterThan(0);
    await job.cancel();
    // DELETE_ON_CANCELLATION (the default): the job's checkpoints go with it.
    expect(await readdir(dir)).toEqual([]);
  });

  it('restores from a file checkpoint in a fresh environment and continues exactly once', async () => {
    const expected = await uninterruptedSums();
    expect(expected).toHaveLength(200);

    // Run 1: checkpoint after 120 events, then more input, then cancel (keeping the checkpoints).
    const store = new CommitStore<string>();
    const env1 = retainingEnv();
    const feed1 = new QueueFeed<[string, number]>().push(...events.slice(0, 120));
    sumJob(env1, feed1, store);
    const job1 = env1.execute('first');
    await waitFor(() => feed1.emitted === 120, 'first 120 events read');
    const cp = await job1.triggerCheckpoint();
    feed1.push(...events.slice(120, 150)); // read, never committed: replayed after the restore
    await waitFor(() => feed1.emitted === 150, 'more events read');
    await job1.cancel();
    expect(store.values()).toHaveLength(120);
    expect(existsSync(join(cp.externalPointer!, '_metadata'))).toBe(true);

    // Run 2: a fresh environment (new transformation ids) restores by path.
    const env2 = new StreamExecutionEnvironment({ parallelism: 2 });
    env2.enableCheckpointing(1_000_000).getCheckpointConfig().setCheckpointStorage(dir);
    sumJob(env2, new QueueFeed<[string, number]>().push(...events).end(), store);
    const job2 = env2.execute({ jobName: 'second', restoreFrom: dir });
    expect((await job2).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(expected);
    // Checkpoint ids continue after the restored one; the final checkpoint is retained.
    expect((await new FileCheckpointStorage(dir).latest())!.checkpointId).toBe(cp.checkpointId + 1);
  });

  it('incremental checkpoints: deltas on disk, and a fresh run restores the chain from the returned checkpoint', async () => {
    const expected = await uninterruptedSums();
    const store = new CommitStore<string>();
    const env1 = retainingEnv(10);
    const feed1 = new QueueFeed<[string, number]>();
    sumJob(env1, feed1, store);
    const job1 = env1.execute('incremental');
    let cp: CompletedCheckpoint | undefined;
    for (const upTo of [40, 80, 120]) {
      feed1.push(...events.slice(upTo - 40, upTo));
      await waitFor(() => feed1.emitted === upTo, `${upTo} events read`);
      cp = await job1.triggerCheckpoint();
    }
    // The first checkpoint is full, the next ones are deltas to the one before; retention (1) keeps
    // their bases, unlisted.
    expect(cp!.base).toBe(cp!.checkpointId - 1);
    expect((await new FileCheckpointStorage(dir).list()).map((h) => h.checkpointId)).toEqual([
      cp!.checkpointId,
    ]);
    expect(existsSync(join(dir, `chk-${cp!.checkpointId - 2}`, '_metadata.base'))).toBe(true);
    feed1.push(...events.slice(120, 150)); // read, never committed: replayed after the restore
    await waitFor(() => feed1.emitted === 150, 'more events read');
    await job1.cancel();
    expect(store.values()).toHaveLength(120);

    const env2 = new StreamExecutionEnvironment({ parallelism: 2 });
    env2.enableCheckpointing(1_000_000).getCheckpointConfig().setCheckpointStorage(dir);
    sumJob(env2, new QueueFeed<[string, number]>().push(...events).end(), store);
    const job2 = env2.execute({ jobName: 'second', restoreFrom: cp! });
    expect((await job2).status).toBe(JobStatus.FINISHED);
    expect(store.values().sort()).toEqual(expected);
  });

  it('a job that fails for good keeps its checkpoints, and a new run restores the latest', async () => {
    const store = new CommitStore<string>();
    const env1 = new StreamExecutionEnvironment({ parallelism: 1 });
    env1.enableCheckpointing(1_000_000).getCheckpointConfig().setCheckpointStorage(dir);
    env1.setRestartStrategy(RestartStrategies.noRestart());
    const feed = new QueueFeed<[string, number]>().push(...events.slice(0, 50));
    let fail = false;
    env1
      .fromSource(new QueueSource(feed, 4), WatermarkStrategy.noWatermarks(), 'events')
      .uid('events')
      .map((e) => {
        if (fail) throw new Error('crash');
        return e;
      })
      .uid('crashy')
      .keyBy((e) => e[0])
      .process(new Sum())
      .uid('sum')
      .transform('commit', () => new CommittingSinkOperator(store))
      .uid('commit');
    const job1 = env1.execute('failing');
    await waitFor(() => feed.emitted === 50, 'read');
    await job1.triggerCheckpoint();
    fail = true;
    feed.push(events[50]!);
    await expect(job1).rejects.toThrow(/crash/);
    expect((await new FileCheckpointStorage(dir).list()).map((h) => h.checkpointId)).toEqual([1]);

    const env2 = new StreamExecutionEnvironment({ parallelism: 1 });
    env2.enableCheckpointing(1_000_000);
    const feed2 = () => new QueueFeed<[string, number]>().push(...events.slice(0, 60)).end();
    sumJob(env2, feed2(), store);
    // 'crashy' is gone from the new job: refused unless allowNonRestoredState.
    await expect(env2.execute({ restoreFrom: dir })).rejects.toThrow(/uid 'crashy'/);
    sumJob(env2, feed2(), store);
    await env2.execute({ restoreFrom: dir, allowNonRestoredState: true });
    // The same external store across both runs: the first 60 running sums, each exactly once.
    const sums = new Map<string, number>();
    const expected = events.slice(0, 60).map(([k, v]) => {
      sums.set(k, (sums.get(k) ?? 0) + v);
      return `${k}=${sums.get(k)}`;
    });
    expect(store.values().sort()).toEqual(expected.sort());
  });
});
