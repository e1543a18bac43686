import { describe, expect, it } from 'vitest';
import { CollectSink } from '../../../src/core/connectors/collect-sink.js';
import {
  type Collector,
  OutputTag,
  type ProcessContext,
  ProcessFunction,
  StreamExecutionEnvironment,
} from '../../../src/core/index.js';

const odd = new OutputTag<number>('odd');
const big = new OutputTag<string>('big');

class Split extends ProcessFunction<number, number> {
  processElement(n: number, ctx: ProcessContext, out: Collector<number>): void {
    if (n % 2 === 1) ctx.output(odd, n);
    else out.collect(n);
    if (n > 90) ctx.output(big, `big:${n}`);
  }
}

describe('side outputs', () => {
  it('route records by tag next to the main output, at any downstream parallelism', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    const main = env.fromSequence(1, 100).process(new Split());
    const mainSink = new CollectSink<number>();
    const oddSink = new CollectSink<number>();
    const bigSink = new CollectSink<string>();
    main.sinkTo(mainSink);
    main
      .getSideOutput(odd)
      .map((n) => n * 10)
      .setParallelism(3)
      .sinkTo(oddSink);
    main.getSideOutput(big).sinkTo(bigSink);
    await env.execute();
    expect([...mainSink.values].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => (i + 1) * 2),
    );
    expect([...oddSink.values].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => (i * 2 + 1) * 10),
    );
    expect([...bigSink.values].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `big:${91 + i}`).sort());
  });

  it('drops side outputs nobody consumes and keeps the main output', async () => {
    const env = new StreamExecutionEnvironment({ parallelism: 1 });
    const out = await env.fromElements(1, 2, 3, 4).process(new Split()).executeAndCollect();
    expect(out).toEqual([2, 4]);
  });
});
