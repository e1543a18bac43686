import { describe, expect, it } from 'vitest';
import {
  type KeyedStream,
  type SingleOutputStreamOperator,
  StreamExecutionEnvironment,
} from '../../../src/core/index.js';

/**
 * Rolling aggregations on keyed streams, run as real jobs. The source has parallelism 1 and the
 * aggregation parallelism 2, so the records of one key keep their order; outputs of different keys
 * may interleave, so results are compared per key.
 */

function env(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
}

async function perKey<T, K>(
  values: readonly T[],
  key: (v: T) => K,
  agg: (s: KeyedStream<T, K>) => SingleOutputStreamOperator<T>,
): Promise<Map<K, T[]>> {
  const out = await agg(env().fromCollection(values).keyBy(key)).executeAndCollect();
  expect(out).toHaveLength(values.length);
  const m = new Map<K, T[]>();
  for (const v of out) {
    const list = m.get(key(v)) ?? [];
    list.push(v);
    m.set(key(v), list);
  }
  return m;
}

interface Reading {
  sensor: string;
  value: number;
  tag: string;
}

const readings: Reading[] = [
  { sensor: 'a', value: 5, tag: 'a1' },
  { sensor: 'b', value: 10, tag: 'b1' },
  { sensor: 'a', value: 3, tag: 'a2' },
  { sensor: 'a', value: 8, tag: 'a3' },
  { sensor: 'b', value: 7, tag: 'b2' },
  { sensor: 'a', value: 3, tag: 'a4' },
  { sensor: 'b', value: 10, tag: 'b3' },
  { sensor: 'a', value: 8, tag: 'a5' },
];

describe('reduce', () => {
  it('emits the running reduction of each key (lambda form)', async () => {
    const m = await perKey(
      readings,
      (r) => r.sensor,
      (s) =>
        s.reduce((a, b) => ({ sensor: a.sensor, value: a.value * 10 + b.value, tag: `${a.tag}+${b.tag}` })),
    );
    expect(m.get('a')!.map((r) => r.value)).toEqual([5, 53, 538, 5383, 53838]);
    expect(m.get('a')!.at(-1)!.tag).toBe('a1+a2+a3+a4+a5');
    expect(m.get('b')!.map((r) => r.value)).toEqual([10, 107, 1080]);
  });

  it('accepts a ReduceFunction object and keeps per-key state separate', async () => {
    const reducer = {
      reduce(a: [string, number], b: [string, number]): [string, number] {
        return [a[0], Math.max(a[1], b[1])];
      },
    };
    const values: [string, number][] = [
      ['x', 1],
      ['y', 9],
      ['x', 4],
      ['y', 2],
      ['x', 3],
    ];
    const m = await perKey(
      values,
      (t) => t[0],
      (s) => s.reduce(reducer),
    );
    expect(m.get('x')).toEqual([
      ['x', 1],
      ['x', 4],
      ['x', 4],
    ]);
    expect(m.get('y')).toEqual([
      ['y', 9],
      ['y', 9],
    ]);
  });
});

describe('sum / min / max', () => {
  it('sum by field name keeps the other fields of the first record of the key', async () => {
    const m = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.sum('value'),
    );
    expect(m.get('a')).toEqual([
      { sensor: 'a', value: 5, tag: 'a1' },
      { sensor: 'a', value: 8, tag: 'a1' },
      { sensor: 'a', value: 16, tag: 'a1' },
      { sensor: 'a', value: 19, tag: 'a1' },
      { sensor: 'a', value: 27, tag: 'a1' },
    ]);
    expect(m.get('b')!.map((r) => [r.value, r.tag])).toEqual([
      [10, 'b1'],
      [17, 'b1'],
      [27, 'b1'],
    ]);
  });

  it('sum does not mutate the input records', async () => {
    const input = readings.map((r) => ({ ...r }));
    await perKey(
      input,
      (r) => r.sensor,
      (s) => s.sum('value'),
    );
    expect(input).toEqual(readings);
  });

  it('sum / min / max by array index', async () => {
    const tuples: [string, number, string][] = [
      ['k', 4, 'first'],
      ['k', 2, 'second'],
      ['j', 1, 'j-first'],
      ['k', 9, 'third'],
      ['k', 2, 'fourth'],
    ];
    const sum = await perKey(
      tuples,
      (t) => t[0],
      (s) => s.sum(1),
    );
    expect(sum.get('k')).toEqual([
      ['k', 4, 'first'],
      ['k', 6, 'first'],
      ['k', 15, 'first'],
      ['k', 17, 'first'],
    ]);
    expect(sum.get('j')).toEqual([['j', 1, 'j-first']]);
    // Results are arrays again (not objects with numeric keys).
    expect(Array.isArray(sum.get('k')![1])).toBe(true);

    const min = await perKey(
      tuples,
      (t) => t[0],
      (s) => s.min(1),
    );
    expect(min.get('k')).toEqual([
      ['k', 4, 'first'],
      ['k', 2, 'first'],
      ['k', 2, 'first'],
      ['k', 2, 'first'],
    ]);
    const max = await perKey(
      tuples,
      (t) => t[0],
      (s) => s.max(1),
    );
    expect(max.get('k')).toEqual([
      ['k', 4, 'first'],
      ['k', 4, 'first'],
      ['k', 9, 'first'],
      ['k', 9, 'first'],
    ]);
  });

  it('sum / max by dotted path update the nested field and keep the rest of the first record', async () => {
    interface Nested {
      id: string;
      stats: { count: number; unit: string };
      note: string;
    }
    const values: Nested[] = [
      { id: 'n', stats: { count: 2, unit: 'ms' }, note: 'first' },
      { id: 'n', stats: { count: 5, unit: 's' }, note: 'second' },
      { id: 'n', stats: { count: 1, unit: 'h' }, note: 'third' },
    ];
    const sum = await perKey(
      values,
      (v) => v.id,
      (s) => s.sum('stats.count'),
    );
    expect(sum.get('n')).toEqual([
      { id: 'n', stats: { count: 2, unit: 'ms' }, note: 'first' },
      { id: 'n', stats: { count: 7, unit: 'ms' }, note: 'first' },
      { id: 'n', stats: { count: 8, unit: 'ms' }, note: 'first' },
    ]);
    const max = await perKey(
      values,
      (v) => v.id,
      (s) => s.max('stats.count'),
    );
    expect(max.get('n')!.map((v) => [v.stats.count, v.stats.unit, v.note])).toEqual([
      [2, 'ms', 'first'],
      [5, 'ms', 'first'],
      [5, 'ms', 'first'],
    ]);
    // The first record's nested object is not mutated by later updates.
    expect(values[0]!.stats).toEqual({ count: 2, unit: 'ms' });
  });

  it('min / max by field name: the value is the extreme, the other fields stay those of the first record', async () => {
    const min = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.min('value'),
    );
    expect(min.get('a')!.map((r) => [r.value, r.tag])).toEqual([
      [5, 'a1'],
      [3, 'a1'],
      [3, 'a1'],
      [3, 'a1'],
      [3, 'a1'],
    ]);
    const max = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.max('value'),
    );
    expect(max.get('a')!.map((r) => [r.value, r.tag])).toEqual([
      [5, 'a1'],
      [5, 'a1'],
      [8, 'a1'],
      [8, 'a1'],
      [8, 'a1'],
    ]);
    expect(max.get('b')!.map((r) => [r.value, r.tag])).toEqual([
      [10, 'b1'],
      [10, 'b1'],
      [10, 'b1'],
    ]);
  });

  it('sum / min / max on a stream of numbers (no field)', async () => {
    // Keys 'small' (|n| < 6) and 'big'; the outputs are numbers too, so they are told apart by
    // running each key alone through the same job shape.
    const nums = [5, -2, 7, 10, -8, 3, 4];
    const small = nums.filter((n) => Math.abs(n) < 6);
    const big = nums.filter((n) => Math.abs(n) >= 6);
    const all = (
      s: readonly number[],
      agg: (k: KeyedStream<number, string>) => SingleOutputStreamOperator<number>,
    ) => perKey(s, () => 'k', agg).then((m) => m.get('k'));
    expect(await all(small, (s) => s.sum())).toEqual([5, 3, 6, 10]);
    expect(await all(big, (s) => s.sum())).toEqual([7, 17, 9]);
    expect(await all(nums, (s) => s.min())).toEqual([5, -2, -2, -2, -8, -8, -8]);
    expect(await all(nums, (s) => s.max())).toEqual([5, 5, 7, 10, 10, 10, 10]);
    // Two keys in one job: the final value of each key is its own total.
    const out = await env()
      .fromCollection(nums)
      .keyBy((n) => (Math.abs(n) < 6 ? 'small' : 'big'))
      .sum()
      .executeAndCollect();
    expect([...out].sort((a, b) => a - b)).toEqual([5, 3, 6, 10, 7, 17, 9].sort((a, b) => a - b));
  });
});

describe('minBy / maxBy', () => {
  it('minBy by field returns the whole record holding the minimum (first one on ties by default)', async () => {
    const m = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.minBy('value'),
    );
    expect(m.get('a')!.map((r) => r.tag)).toEqual(['a1', 'a2', 'a2', 'a2', 'a2']);
    expect(m.get('a')![1]).toEqual({ sensor: 'a', value: 3, tag: 'a2' });
  });

  it('minBy with first=false takes the latest record on ties', async () => {
    const m = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.minBy('value', false),
    );
    // a: 5(a1) -> 3(a2) -> 8 keeps a2 -> 3(a4) ties, takes a4 -> 8 keeps a4
    expect(m.get('a')!.map((r) => r.tag)).toEqual(['a1', 'a2', 'a2', 'a4', 'a4']);
  });

  it('maxBy by field, first=true vs first=false on ties', async () => {
    const firstWins = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.maxBy('value'),
    );
    expect(firstWins.get('a')!.map((r) => r.tag)).toEqual(['a1', 'a1', 'a3', 'a3', 'a3']);
    expect(firstWins.get('b')!.map((r) => r.tag)).toEqual(['b1', 'b1', 'b1']);
    const lastWins = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.maxBy('value', false),
    );
    expect(lastWins.get('a')!.map((r) => r.tag)).toEqual(['a1', 'a1', 'a3', 'a3', 'a5']);
    expect(lastWins.get('b')!.map((r) => r.tag)).toEqual(['b1', 'b1', 'b3']);
  });

  it('minBy / maxBy by selector function and by array index', async () => {
    const words = ['pear', 'fig', 'banana', 'kiwi', 'apple', 'plum'];
    const byLen = await perKey(
      words,
      () => 'all',
      (s) => s.minBy((w) => w.length),
    );
    expect(byLen.get('all')).toEqual(['pear', 'fig', 'fig', 'fig', 'fig', 'fig']);
    const longest = await perKey(
      words,
      () => 'all',
      (s) => s.maxBy((w) => w.length),
    );
    expect(longest.get('all')).toEqual(['pear', 'pear', 'banana', 'banana', 'banana', 'banana']);
    // Selector returning strings compares lexicographically.
    const lexMax = await perKey(
      words,
      () => 'all',
      (s) => s.maxBy((w) => w, true),
    );
    expect(lexMax.get('all')!.at(-1)).toBe('plum');

    const tuples: [string, number, string][] = [
      ['t', 3, 'x'],
      ['t', 1, 'y'],
      ['t', 1, 'z'],
    ];
    const byIndex = await perKey(
      tuples,
      (t) => t[0],
      (s) => s.minBy(1),
    );
    expect(byIndex.get('t')!.map((t) => t[2])).toEqual(['x', 'y', 'y']);
    const byIndexLast = await perKey(
      tuples,
      (t) => t[0],
      (s) => s.minBy(1, false),
    );
    expect(byIndexLast.get('t')!.map((t) => t[2])).toEqual(['x', 'y', 'z']);
  });

  it('min vs minBy: min mixes the minimum into the first record, minBy returns the actual record', async () => {
    const min = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.min('value'),
    );
    const minBy = await perKey(
      readings,
      (r) => r.sensor,
      (s) => s.minBy('value'),
    );
    expect(min.get('a')!.at(-1)).toEqual({ sensor: 'a', value: 3, tag: 'a1' });
    expect(minBy.get('a')!.at(-1)).toEqual({ sensor: 'a', value: 3, tag: 'a2' });
  });
});

/**
 * Flink runs with object reuse disabled by default: a record handed to the next operator (even a
 * chained one) is a copy, and a ReduceFunction may update and return its first argument. Emitted
 * aggregates must therefore not alias the operator's keyed state.
 */
describe('emitted aggregates do not alias keyed state', () => {
  it('a reducer updating its accumulator in place does not change records already emitted (nor the input)', async () => {
    const input = [
      { k: 'a', n: 1 },
      { k: 'a', n: 2 },
      { k: 'a', n: 3 },
    ];
    const out = await StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 })
      .fromCollection(input)
      .keyBy('k')
      .reduce((acc, v) => {
        acc.n += v.n;
        return acc;
      })
      .executeAndCollect();
    expect(out.map((r) => r.n)).toEqual([1, 3, 6]);
    expect(input.map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('a chained downstream map that mutates its input does not corrupt the rolling sum', async () => {
    const out = await StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 })
      .fromCollection([
        { k: 'a', n: 1 },
        { k: 'a', n: 2 },
        { k: 'a', n: 3 },
      ])
      .keyBy('k')
      .sum('n')
      .map((r) => {
        r.n *= 10;
        return r;
      })
      .executeAndCollect();
    expect(out.map((r) => r.n)).toEqual([10, 30, 60]);
  });
});
