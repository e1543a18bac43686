import { describe, expect, it } from 'vitest';
import type { JobGraph } from '../../../src/core/graph/job-graph.js';
import {
  type Collector,
  CollectSink,
  type KeyedProcessContext,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

/** The chains of a job graph as lists of operator names, head first, in vertex order. */
function chains(g: JobGraph): string[][] {
  return g.vertices.map((v) => v.nodes.map((n) => n.name));
}

function env(parallelism = 2): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ parallelism });
}

describe('operator chaining in the job graph', () => {
  it('chains source -> map -> filter -> sink into one vertex', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => n * 2)
      .filter((n) => n > 4)
      .sinkTo(new CollectSink<number>());
    const g = e.getJobGraph();
    expect(chains(g)).toEqual([['Sequence Source', 'Map', 'Filter', 'Sink']]);
    expect(g.vertices[0]!.name).toBe('Sequence Source -> Map -> Filter -> Sink');
    expect(g.vertices[0]!.parallelism).toBe(2);
    expect(g.vertices[0]!.outEdges).toHaveLength(0);
  });

  it('keyBy breaks the chain with a HASH exchange; operators after it chain again', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => [n % 3, n] as [number, number])
      .keyBy((t) => t[0])
      .sum(1)
      .map((t) => t[1])
      .sinkTo(new CollectSink<number>());
    const g = e.getJobGraph();
    expect(chains(g)).toEqual([
      ['Sequence Source', 'Map'],
      ['Keyed Aggregation', 'Map', 'Sink'],
    ]);
    expect(g.vertices[0]!.outEdges.map((ed) => ed.partitioner.name)).toEqual(['HASH']);
    expect(g.vertices[1]!.inEdges.map((ed) => ed.partitioner.name)).toEqual(['HASH']);
  });

  it('a change of parallelism or an explicit partitioner breaks the chain', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => n)
      .setParallelism(3)
      .name('wider')
      .rebalance()
      .map((n) => n)
      .setParallelism(3)
      .name('rebalanced')
      .sinkTo(new CollectSink<number>())
      .setParallelism(3);
    expect(chains(e.getJobGraph())).toEqual([['Sequence Source'], ['wider'], ['rebalanced', 'Sink']]);
  });

  it('disableChaining() isolates the operator in its own vertex', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => n)
      .name('m1')
      .map((n) => n)
      .name('lonely')
      .disableChaining()
      .filter(() => true)
      .name('f')
      .sinkTo(new CollectSink<number>());
    expect(chains(e.getJobGraph())).toEqual([['Sequence Source', 'm1'], ['lonely'], ['f', 'Sink']]);
  });

  it('startNewChain() starts a chain at the operator; its successors still chain to it', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => n)
      .name('m1')
      .filter(() => true)
      .name('head')
      .startNewChain()
      .map((n) => n)
      .name('m2')
      .sinkTo(new CollectSink<number>());
    expect(chains(e.getJobGraph())).toEqual([
      ['Sequence Source', 'm1'],
      ['head', 'm2', 'Sink'],
    ]);
  });

  it('a sink with disableChaining() gets its own vertex', () => {
    const e = env();
    e.fromSequence(1, 10)
      .map((n) => n)
      .sinkTo(new CollectSink<number>())
      .name('out')
      .disableChaining();
    expect(chains(e.getJobGraph())).toEqual([['Sequence Source', 'Map'], ['out']]);
  });

  it('env.disableOperatorChaining() puts every operator in its own vertex', () => {
    const e = env().disableOperatorChaining();
    e.fromSequence(1, 10)
      .map((n) => n)
      .filter(() => true)
      .sinkTo(new CollectSink<number>());
    expect(e.isChainingEnabled()).toBe(false);
    expect(chains(e.getJobGraph())).toEqual([['Sequence Source'], ['Map'], ['Filter'], ['Sink']]);
    // The constructor option does the same.
    const e2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2, chaining: false });
    e2.fromSequence(1, 10)
      .map((n) => n)
      .sinkTo(new CollectSink<number>());
    expect(chains(e2.getJobGraph())).toHaveLength(3);
  });

  it('union: the operator after a union has several inputs and heads a new chain', () => {
    const e = env();
    const a = e.fromSequence(1, 5).name('a');
    const b = e.fromSequence(6, 10).name('b');
    a.union(b)
      .map((n) => n)
      .name('after-union')
      .sinkTo(new CollectSink<number>());
    const g = e.getJobGraph();
    expect(chains(g)).toEqual([['a'], ['b'], ['after-union', 'Sink']]);
    const head = g.vertices[2]!;
    expect(head.inEdges.map((ed) => ed.source.name)).toEqual(['a', 'b']);
  });

  it('rejects duplicate uids when the graph is built and when the job is executed', () => {
    const e = env();
    const s = e.fromSequence(1, 10);
    s.map((n) => n).uid('same');
    s.map((n) => n + 1).uid('same');
    expect(() => e.getJobGraph()).toThrow(/duplicate operator uid 'same'/);
    expect(() => e.execute()).toThrow(/duplicate operator uid 'same'/);
  });

  it('accepts distinct uids', () => {
    const e = env();
    const s = e.fromSequence(1, 10).uid('src');
    s.map((n) => n).uid('m1');
    s.map((n) => n).uid('m2');
    expect(e.getStreamGraph().nodes.map((n) => n.uid)).toEqual(['src', 'm1', 'm2']);
  });
});

class CountPerKey extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }

  processElement(v: number, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(`${ctx.getCurrentKey()}:${c}:${v}`);
  }
}

describe('results do not depend on chaining', () => {
  async function run(
    chaining: boolean,
    parallelism = 3,
  ): Promise<{ out: string[]; tasks: number; vertices: number }> {
    const e = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism, chaining });
    const sink = new CollectSink<string>();
    e.fromSequence(0, 2999)
      .map((n) => n * 3)
      .filter((n) => n % 2 === 0)
      .flatMap<number>((n: number, out) => {
        out.collect(n);
        if (n % 10 === 0) out.collect(n + 1);
      })
      .keyBy((n) => n % 7)
      .process(new CountPerKey())
      .map((s) => s.toUpperCase())
      .sinkTo(sink);
    const vertices = e.getJobGraph().vertices.length;
    const job = e.execute(`chaining=${chaining}`);
    await job;
    return { out: sink.values, tasks: job.getExecution().getTasks().length, vertices };
  }

  it('produces the same records with chaining enabled and disabled', async () => {
    const chained = await run(true);
    const unchained = await run(false);
    expect(chained.vertices).toBe(2);
    expect(unchained.vertices).toBe(7);
    expect(chained.tasks).toBe(2 * 3);
    expect(unchained.tasks).toBe(7 * 3);

    // 1500 even multiples of 3, plus one extra record for each multiple of 30 (300 of them).
    expect(chained.out).toHaveLength(1800);
    expect(unchained.out).toHaveLength(1800);
    // Which count a record gets depends on how the 3 source instances interleave, so compare the
    // (key, value) pairs as multisets.
    const pairs = (out: string[]) =>
      out
        .map((s) => {
          const [k, , v] = s.split(':');
          return `${k}:${v}`;
        })
        .sort();
    expect(pairs(chained.out)).toEqual(pairs(unchained.out));
    expect(new Set(pairs(chained.out)).size).toBe(1800);
    // Per key, the counts run 1..n in both runs.
    const countsOf = (out: string[]) => {
      const m = new Map<string, number[]>();
      for (const s of out) {
        const [k, c] = s.split(':');
        m.set(k!, [...(m.get(k!) ?? []), Number(c)]);
      }
      return m;
    };
    for (const run of [chained.out, unchained.out]) {
      const byKey = countsOf(run);
      expect(byKey.size).toBe(7);
      for (const [k, counts] of byKey) expect(counts, `key ${k}`).toEqual(counts.map((_, i) => i + 1));
    }
  });

  it('at parallelism 1 the output order is identical too', async () => {
    const chained = await run(true, 1);
    const unchained = await run(false, 1);
    expect(chained.tasks).toBe(2);
    expect(unchained.tasks).toBe(7);
    expect(chained.out).toHaveLength(1800);
    expect(unchained.out).toEqual(chained.out);
  });
});
