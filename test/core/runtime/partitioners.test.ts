import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  CollectSink,
  type DataStream,
  JobExecutionError,
  StreamExecutionEnvironment,
} from '../../../src/core/index.js';

/**
 * Partitioners observed in real jobs: a first map (own parallelism, chained to the source) tags
 * each number with the upstream subtask, a second map after the partitioning tags it with the
 * downstream subtask. The sequence source emits each reader's range in ascending order, so the
 * order of one upstream subtask's records is the order of their values.
 */

interface Up {
  readonly v: number;
  readonly up: number;
}

interface Routed extends Up {
  readonly down: number;
}

class TagUpstream extends AbstractRichFunction {
  map(v: number): Up {
    return { v, up: this.getRuntimeContext().getIndexOfThisSubtask() };
  }
}

class TagDownstream extends AbstractRichFunction {
  map(r: Up): Routed {
    return { ...r, down: this.getRuntimeContext().getIndexOfThisSubtask() };
  }
}

function upstream(env: StreamExecutionEnvironment, n: number, parallelism: number): DataStream<Up> {
  return env
    .fromSequence(0, n - 1)
    .setParallelism(parallelism)
    .map(new TagUpstream())
    .setParallelism(parallelism)
    .name('tag-upstream');
}

async function route(
  n: number,
  pUp: number,
  pDown: number,
  partition: (s: DataStream<Up>) => DataStream<Up>,
): Promise<Routed[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: pDown });
  return partition(upstream(env, n, pUp))
    .map(new TagDownstream())
    .setParallelism(pDown)
    .name('tag-downstream')
    .executeAndCollect();
}

function countBy<T>(values: readonly T[], key: (v: T) => string | number): Map<string | number, number> {
  const m = new Map<string | number, number>();
  for (const v of values) m.set(key(v), (m.get(key(v)) ?? 0) + 1);
  return m;
}

function expectEachOnce(out: readonly Routed[], n: number): void {
  expect(out).toHaveLength(n);
  expect(new Set(out.map((r) => r.v)).size).toBe(n);
}

describe('forward', () => {
  it('keeps each record on the subtask of the same index', async () => {
    const out = await route(1000, 3, 3, (s) => s.forward());
    expectEachOnce(out, 1000);
    for (const r of out) expect(r.down).toBe(r.up);
    expect(new Set(out.map((r) => r.up))).toEqual(new Set([0, 1, 2]));
  });

  it('rejects a change of parallelism when execute() is called', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    upstream(env, 10, 2).forward().map(new TagDownstream()).setParallelism(3).sinkTo(new CollectSink());
    expect(() => env.execute('bad forward')).toThrow(
      /forward partitioning does not allow a change of parallelism/,
    );
  });

  it('is the default between operators of equal parallelism, rebalance otherwise', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const up = upstream(env, 10, 2);
    up.map(new TagDownstream()).setParallelism(2).name('same');
    up.map(new TagDownstream()).setParallelism(3).name('wider');
    const g = env.getStreamGraph();
    const edgeInto = (name: string) => g.nodes.find((n) => n.name === name)!.inEdges[0]!.partitioner.name;
    expect(edgeInto('same')).toBe('FORWARD');
    expect(edgeInto('wider')).toBe('REBALANCE');
  });
});

describe('shuffle', () => {
  it('sends every record exactly once, spread over all downstream subtasks, reproducibly', async () => {
    const n = 8000;
    const out = await route(n, 2, 4, (s) => s.shuffle());
    expectEachOnce(out, n);
    const perDown = countBy(out, (r) => r.down);
    expect([...perDown.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const c of perDown.values()) {
      expect(c).toBeGreaterThan(n / 4 - n / 10);
      expect(c).toBeLessThan(n / 4 + n / 10);
    }
    // Not round robin: some consecutive records of one upstream subtask land on the same subtask.
    const fromUp0 = out.filter((r) => r.up === 0).sort((a, b) => a.v - b.v);
    let repeats = 0;
    for (let i = 1; i < fromUp0.length; i++) if (fromUp0[i]!.down === fromUp0[i - 1]!.down) repeats++;
    expect(repeats).toBeGreaterThan(0);
    // The per-writer generators are seeded by subtask index: the same job routes the same way.
    const again = await route(n, 2, 4, (s) => s.shuffle());
    const downOf = (rs: Routed[]) => rs.map((r) => [r.v, r.down]).sort((a, b) => a[0]! - b[0]!);
    expect(downOf(again)).toEqual(downOf(out));
  });
});

describe('rebalance', () => {
  it('distributes evenly in round robin from a single upstream subtask', async () => {
    const n = 4000;
    const out = await route(n, 1, 4, (s) => s.rebalance());
    expectEachOnce(out, n);
    for (const c of countBy(out, (r) => r.down).values()) expect(c).toBe(n / 4);
    // Record i (the i-th of the only writer) goes to subtask (start + i) % 4.
    const sorted = [...out].sort((a, b) => a.v - b.v);
    const start = sorted[0]!.down;
    for (const r of sorted) expect(r.down).toBe((start + r.v) % 4);
  });

  it('each upstream subtask round-robins over all downstream subtasks', async () => {
    const n = 4000;
    const out = await route(n, 2, 4, (s) => s.rebalance());
    expectEachOnce(out, n);
    for (const u of [0, 1]) {
      const mine = out.filter((r) => r.up === u).sort((a, b) => a.v - b.v);
      expect(mine.length).toBe(n / 2);
      const start = mine[0]!.down;
      mine.forEach((r, k) => expect(r.down).toBe((start + k) % 4));
      for (const c of countBy(mine, (r) => r.down).values()) expect(c).toBe(n / 8);
    }
    for (const c of countBy(out, (r) => r.down).values()) expect(c).toBe(n / 4);
  });
});

describe('rescale', () => {
  function pairs(out: readonly Routed[]): string[] {
    return [...new Set(out.map((r) => `${r.up}->${r.down}`))].sort();
  }

  it('2 -> 4: upstream 0 feeds downstream 0 and 1, upstream 1 feeds 2 and 3, round robin', async () => {
    const n = 2000;
    const out = await route(n, 2, 4, (s) => s.rescale());
    expectEachOnce(out, n);
    expect(pairs(out)).toEqual(['0->0', '0->1', '1->2', '1->3']);
    for (const c of countBy(out, (r) => r.down).values()) expect(c).toBe(n / 4);
    for (const u of [0, 1]) {
      const mine = out.filter((r) => r.up === u).sort((a, b) => a.v - b.v);
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.down).not.toBe(mine[k - 1]!.down);
    }
  });

  it('4 -> 2: upstream 0 and 1 feed downstream 0, upstream 2 and 3 feed downstream 1', async () => {
    const n = 2000;
    const out = await route(n, 4, 2, (s) => s.rescale());
    expectEachOnce(out, n);
    expect(pairs(out)).toEqual(['0->0', '1->0', '2->1', '3->1']);
  });

  it('wires only the local channels (the job has 4 channels for 2 -> 4, not 8)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    upstream(env, 10, 2)
      .rescale()
      .map(new TagDownstream())
      .setParallelism(4)
      .name('tag-downstream')
      .sinkTo(new CollectSink());
    const job = env.execute('rescale wiring');
    await job;
    const down = job
      .getExecution()
      .getTasks()
      .filter((t) => t.name.startsWith('tag-downstream'));
    expect(down).toHaveLength(4);
    expect(down.map((t) => t.gates.reduce((s, g) => s + g.channels.length, 0))).toEqual([1, 1, 1, 1]);
  });
});

describe('broadcast', () => {
  it('sends every record to each downstream subtask exactly once', async () => {
    const n = 500;
    const out = await route(n, 2, 3, (s) => s.broadcast());
    expect(out).toHaveLength(n * 3);
    const byValue = new Map<number, number[]>();
    for (const r of out) byValue.set(r.v, [...(byValue.get(r.v) ?? []), r.down]);
    expect(byValue.size).toBe(n);
    for (const downs of byValue.values()) expect(downs.sort()).toEqual([0, 1, 2]);
  });
});

describe('global', () => {
  it('sends all records to downstream subtask 0, and the job still finishes', async () => {
    const n = 1000;
    const out = await route(n, 3, 4, (s) => s.global());
    expectEachOnce(out, n);
    for (const r of out) expect(r.down).toBe(0);
    expect(new Set(out.map((r) => r.up))).toEqual(new Set([0, 1, 2]));
  });
});

describe('partitionCustom', () => {
  it('routes each record to the partition the partitioner chose for its key', async () => {
    const n = 1200;
    const calls: number[] = [];
    const out = await route(n, 2, 3, (s) =>
      s.partitionCustom(
        (key: number, numPartitions: number) => {
          calls.push(numPartitions);
          return (key * 7) % numPartitions;
        },
        (r) => r.v,
      ),
    );
    expectEachOnce(out, n);
    for (const r of out) expect(r.down).toBe((r.v * 7) % 3);
    expect(new Set(calls)).toEqual(new Set([3]));
  });

  it('accepts a field name as the key', async () => {
    const out = await route(300, 1, 4, (s) => s.partitionCustom((v: number, p) => v % p, 'v'));
    expectEachOnce(out, 300);
    for (const r of out) expect(r.down).toBe(r.v % 4);
  });

  it('fails the job with a JobExecutionError when the partition is out of range', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    upstream(env, 100, 1)
      .partitionCustom(
        (key: number, p: number) => (key === 42 ? p : key % p),
        (r) => r.v,
      )
      .map(new TagDownstream())
      .sinkTo(new CollectSink());
    const job = env.execute('bad partitioner');
    const err = await job.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobExecutionError);
    const cause = (err as JobExecutionError).cause;
    expect(cause).toBeInstanceOf(RangeError);
    expect((cause as Error).message).toMatch(
      /custom partitioner returned 2, expected an integer in \[0, 2\)/,
    );
    expect((err as Error).message).toContain("Job 'bad partitioner' failed");
    expect(job.getJobStatus()).toBe('FAILED');
  });

  it('also fails on a non-integer partition', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    upstream(env, 10, 1)
      .partitionCustom(
        () => 0.5,
        (r) => r.v,
      )
      .map(new TagDownstream())
      .sinkTo(new CollectSink());
    await expect(env.execute()).rejects.toBeInstanceOf(JobExecutionError);
  });
});
