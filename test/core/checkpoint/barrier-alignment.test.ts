import { describe, expect, it } from 'vitest';
import {
  AbstractStreamOperator,
  type Collector,
  CollectSink,
  CoProcessFunction,
  type ListState,
  ListStateDescriptor,
  type OneInputStreamOperator,
  type OperatorSnapshot,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { QueueFeed, QueueSource, waitFor } from './helpers.js';

/** Counts records per origin ('a…' or not) in operator state and emits the running count. */
class CountPerOrigin
  extends AbstractStreamOperator<[string, number]>
  implements OneInputStreamOperator<string, [string, number]>
{
  private counts = new Map<string, number>();
  private state!: ListState<[string, number]>;

  override open(): void {
    this.state = this.operatorStateBackend.getListState(new ListStateDescriptor<[string, number]>('counts'));
    for (const [k, v] of this.state.get()) this.counts.set(k, v);
  }

  processElement(value: string): void {
    const origin = value.startsWith('a') ? 'a' : 'b';
    const n = (this.counts.get(origin) ?? 0) + 1;
    this.counts.set(origin, n);
    this.output.collect([origin, n], 0);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.state.update([...this.counts]);
    return super.snapshotState(checkpointId);
  }
}

/** The same count as a user function of connected streams (a two-input task). */
class CoCount extends CoProcessFunction<string, string, [string, number]> {
  private state!: ListState<[string, number]>;
  private counts = new Map<string, number>();

  override open(): void {
    this.state = this.getRuntimeContext()
      .getOperatorStateStore()
      .getListState(new ListStateDescriptor<[string, number]>('counts'));
    for (const [k, v] of this.state.get()) this.counts.set(k, v);
  }

  private count(origin: string, out: Collector<[string, number]>): void {
    const n = (this.counts.get(origin) ?? 0) + 1;
    this.counts.set(origin, n);
    this.state.update([...this.counts]);
    out.collect([origin, n]);
  }

  processElement1(_v: string, _ctx: unknown, out: Collector<[string, number]>): void {
    this.count('a', out);
  }

  processElement2(_v: string, _ctx: unknown, out: Collector<[string, number]>): void {
    this.count('b', out);
  }
}

/** Forwards records; on 'stall' pauses its task until the test releases it (a slow input). */
class Stall extends AbstractStreamOperator<string> implements OneInputStreamOperator<string, string> {
  constructor(private readonly gate: { promise: Promise<void> }) {
    super();
  }

  processElement(value: string, timestamp: number): void {
    this.output.collect(value, timestamp);
    if (value === 'stall') this.params.blockOn(this.gate.promise);
  }
}

type Shape = 'union' | 'connect';

function build(
  shape: Shape,
  env: StreamExecutionEnvironment,
  a: QueueFeed<string>,
  b: QueueFeed<string>,
  gate: { promise: Promise<void> },
) {
  const sink = new CollectSink<[string, number]>();
  const fast = env.fromSource(new QueueSource(a), WatermarkStrategy.noWatermarks(), 'fast').uid('fast');
  const slow = env
    .fromSource(new QueueSource(b), WatermarkStrategy.noWatermarks(), 'slow')
    .uid('slow')
    .transform('stall', () => new Stall(gate))
    .uid('stall')
    .disableChaining();
  const counted =
    shape === 'union'
      ? fast.union(slow).transform('count', () => new CountPerOrigin())
      : fast.connect(slow).process(new CoCount()).name('count');
  counted.uid('count').sinkTo(sink).uid('sink');
  return sink;
}

const lastCount = (sink: CollectSink<[string, number]>, origin: string): number =>
  Math.max(0, ...sink.values.filter(([o]) => o === origin).map(([, n]) => n));

describe('barrier alignment on a task with two inputs', () => {
  it.each<Shape>(['union', 'connect'])(
    '%s: snapshots exactly the records before the barrier of each input; the fast input waits',
    async (shape) => {
      const as = Array.from({ length: 160 }, (_, i) => `a${i + 1}`);
      const bs = ['b1', 'b2', 'b3', 'b4', 'b5', 'stall', 'b6', 'b7', 'b8', 'b9', 'b10', 'b11', 'b12'];
      const feedA = new QueueFeed<string>();
      const feedB = new QueueFeed<string>();
      let release!: () => void;
      const gate = { promise: new Promise<void>((r) => (release = r)) };
      const env = new StreamExecutionEnvironment({ parallelism: 1 });
      const sink = build(shape, env, feedA, feedB, gate);
      const job = env.execute('alignment');

      feedA.push(...as.slice(0, 100));
      feedB.push(...bs.slice(0, 6)); // b1..b5 and 'stall': the slow path blocks after forwarding it
      await waitFor(() => lastCount(sink, 'a') === 100 && lastCount(sink, 'b') === 6, 'first records');
      feedB.push(...bs.slice(6, 9)); // b6..b8 wait behind the stalled task
      await waitFor(() => feedB.emitted === 9, 'slow source read b8');

      const checkpoint = job.triggerCheckpoint();
      // After its barrier, the fast input delivers 50 more records, before the slow barrier arrives.
      feedA.push(...as.slice(100, 150));
      const countTask = job
        .getExecution()
        .getTasks()
        .find((t) => t.name.startsWith('count'))!;
      const fastChannel = () => countTask.gates.flatMap((g) => g.channels).find((c) => c.length === 50);
      await waitFor(() => feedA.emitted === 150 && fastChannel() !== undefined, 'fast records queued');
      expect(countTask.isRunnable()).toBe(false); // the fast channel is blocked, the slow one empty
      expect(lastCount(sink, 'a')).toBe(100);

      release();
      const cp = await checkpoint;
      await waitFor(() => lastCount(sink, 'a') === 150, 'fast records after alignment');
      expect(lastCount(sink, 'b')).toBe(9);
      await job.cancel();

      // Restore in a fresh environment with the full inputs: counts continue from (a 100, b 9).
      const feedA2 = new QueueFeed<string>().push(...as).end();
      const feedB2 = new QueueFeed<string>().push(...bs).end();
      const env2 = new StreamExecutionEnvironment({ parallelism: 1 });
      const sink2 = build(shape, env2, feedA2, feedB2, { promise: Promise.resolve() });
      await env2.execute({ jobName: 'restored', restoreFrom: cp });
      const aCounts = sink2.values.filter(([o]) => o === 'a').map(([, n]) => n);
      const bCounts = sink2.values.filter(([o]) => o === 'b').map(([, n]) => n);
      expect(aCounts).toEqual(Array.from({ length: 60 }, (_, i) => 101 + i));
      expect(bCounts).toEqual([10, 11, 12, 13]);
    },
  );
});
