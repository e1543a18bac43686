import { describe, expect, it } from 'vitest';
import {
  assignKeyToParallelOperator,
  type Collector,
  DEFAULT_MAX_PARALLELISM,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

/** mulberry32: a small seeded PRNG, so the input is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Txn {
  readonly seq: number;
  readonly key: string;
  readonly amount: number;
}

interface RunningSum {
  readonly key: string;
  readonly seq: number;
  readonly sum: number;
  readonly subtask: number;
}

const PARALLELISM = 4;
const RECORDS = 10_000;
const KEYS = 50;

function makeTxns(seed: number): Txn[] {
  const rnd = prng(seed);
  return Array.from({ length: RECORDS }, (_, seq) => ({
    seq,
    key: `k${Math.floor(rnd() * KEYS)}`,
    amount: Math.floor(rnd() * 1000) - 300,
  }));
}

/** Running sum in keyed ValueState, tagged with the subtask that computed it. */
class RunningSumFunction extends KeyedProcessFunction<string, Txn, RunningSum> {
  private sum!: ValueState<number>;

  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum'));
  }

  processElement(txn: Txn, ctx: KeyedProcessContext<string>, out: Collector<RunningSum>): void {
    const next = (this.sum.value() ?? 0) + txn.amount;
    this.sum.update(next);
    out.collect({
      key: ctx.getCurrentKey(),
      seq: txn.seq,
      sum: next,
      subtask: this.getRuntimeContext().getIndexOfThisSubtask(),
    });
  }
}

function groupBy<T, K>(values: readonly T[], key: (v: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const v of values) {
    const list = m.get(key(v));
    if (list) list.push(v);
    else m.set(key(v), [v]);
  }
  return m;
}

describe('keyed running sums at parallelism 4', () => {
  it('computes per-key running sums equal to a direct computation, each key on its owning subtask', async () => {
    const txns = makeTxns(42);
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: PARALLELISM });
    const out = await env
      .fromCollection(txns)
      .keyBy((t) => t.key)
      .process(new RunningSumFunction())
      .executeAndCollect('running sums');

    expect(out).toHaveLength(RECORDS);

    // Expected: prefix sums per key, in input order (one source instance, so per-key order holds).
    const expectedByKey = new Map<string, { seq: number; sum: number }[]>();
    const totals = new Map<string, number>();
    for (const t of txns) {
      const s = (totals.get(t.key) ?? 0) + t.amount;
      totals.set(t.key, s);
      const list = expectedByKey.get(t.key) ?? [];
      list.push({ seq: t.seq, sum: s });
      expectedByKey.set(t.key, list);
    }
    expect(totals.size).toBe(KEYS);

    const actualByKey = groupBy(out, (r) => r.key);
    expect(new Set(actualByKey.keys())).toEqual(new Set(totals.keys()));
    for (const [key, expected] of expectedByKey) {
      const actual = actualByKey.get(key)!;
      expect(actual.map((r) => ({ seq: r.seq, sum: r.sum }))).toEqual(expected);
      expect(actual[actual.length - 1]!.sum).toBe(totals.get(key));
    }

    // Every key is processed by exactly one subtask: the one owning its key group.
    const subtasksOfKey = new Map<string, Set<number>>();
    for (const r of out) {
      const s = subtasksOfKey.get(r.key) ?? new Set<number>();
      s.add(r.subtask);
      subtasksOfKey.set(r.key, s);
    }
    for (const [key, subtasks] of subtasksOfKey) {
      expect([...subtasks], `subtasks of key ${key}`).toEqual([
        assignKeyToParallelOperator(key, DEFAULT_MAX_PARALLELISM, PARALLELISM),
      ]);
      expect(assignKeyToParallelOperator(key, 128, 4)).toBe([...subtasks][0]);
    }
    // With 50 keys the work is spread: every subtask owns some keys.
    expect(new Set(out.map((r) => r.subtask))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('agrees with the built-in keyed sum and with a parallel source (fromSequence at parallelism 4)', async () => {
    const amountOf = (i: number): number => ((i * 7919) % 1013) - 400;
    const keyOf = (i: number): number => (i * 31) % KEYS;

    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: PARALLELISM });
    const txns = env
      .fromSequence(0, RECORDS - 1)
      .map((i): Txn => ({ seq: i, key: `k${keyOf(i)}`, amount: amountOf(i) }));
    const viaProcess = await txns
      .keyBy((t) => t.key)
      .process(new RunningSumFunction())
      .executeAndCollect();

    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: PARALLELISM });
    const viaSum = await env2
      .fromSequence(0, RECORDS - 1)
      .map((i): Txn => ({ seq: i, key: `k${keyOf(i)}`, amount: amountOf(i) }))
      .keyBy('key')
      .sum('amount')
      .executeAndCollect();

    const expected = new Map<string, number>();
    for (let i = 0; i < RECORDS; i++)
      expected.set(`k${keyOf(i)}`, (expected.get(`k${keyOf(i)}`) ?? 0) + amountOf(i));

    // One subtask applies all updates of a key in sequence, so its last emitted value is the total
    // whatever the interleaving of the source instances.
    const lastOf = <T extends { key: string }>(
      rs: readonly T[],
      v: (r: T) => number,
    ): Map<string, number> => {
      const m = new Map<string, number>();
      for (const r of rs) m.set(r.key, v(r));
      return m;
    };
    expect(viaProcess).toHaveLength(RECORDS);
    expect(viaSum).toHaveLength(RECORDS);
    expect(lastOf(viaProcess, (r) => r.sum)).toEqual(expected);
    expect(lastOf(viaSum, (r) => r.amount)).toEqual(expected);

    for (const r of viaProcess) {
      expect(r.subtask).toBe(assignKeyToParallelOperator(r.key, 128, 4));
    }
    // Each key's updates count equals its number of input records, on both paths.
    const counts = (rs: readonly { key: string }[]) =>
      new Map([...groupBy(rs, (r) => r.key)].map(([k, v]) => [k, v.length]));
    expect(counts(viaProcess)).toEqual(counts(viaSum));
  });

  it('routes numeric keys with the same key-group assignment (maxParallelism 128)', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: PARALLELISM });
    const seen: { key: number; subtask: number }[] = [];
    class Tag extends KeyedProcessFunction<number, number, number> {
      processElement(v: number, ctx: KeyedProcessContext<number>, out: Collector<number>): void {
        seen.push({ key: ctx.getCurrentKey(), subtask: this.getRuntimeContext().getIndexOfThisSubtask() });
        out.collect(v);
      }
    }
    const out = await env
      .fromSequence(0, 1999)
      .keyBy((n) => n % 37)
      .process(new Tag())
      .executeAndCollect();
    expect(out).toHaveLength(2000);
    expect(seen).toHaveLength(2000);
    for (const { key, subtask } of seen) expect(subtask).toBe(assignKeyToParallelOperator(key, 128, 4));
  });
});
