import {
  type Collector,
  type JobClient,
  type KeyedOnTimerContext,
  type KeyedProcessContext,
  KeyedProcessFunction,
  ManualClock,
  NumberSequenceSource,
  type RestartStrategyConfiguration,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../src/core/index.js';
import { CommitStore, CommittingSinkOperator } from './helpers.js';

interface Step {
  readonly key: number;
  readonly kind: 'rec' | 'timer';
  readonly value: number;
}

/** Keyed state (running count and sum) and event-time timers, all in the checkpoint. */
class RunningSums extends KeyedProcessFunction<number, number, Step> {
  private count!: ValueState<number>;
  private sum!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum'));
  }

  processElement(n: number, ctx: KeyedProcessContext<number>, out: Collector<Step>): void {
    const count = (this.count.value() ?? 0) + 1;
    const sum = (this.sum.value() ?? 0) + n;
    this.count.update(count);
    this.sum.update(sum);
    out.collect({ key: ctx.getCurrentKey(), kind: 'rec', value: count * 1_000_000 + sum });
    // Coarse timers: many records share one, so deduplication and restore both matter.
    ctx.timerService().registerEventTimeTimer(Math.floor(ctx.timestamp()! / 700) * 700 + 1000);
  }

  override onTimer(ts: number, ctx: KeyedOnTimerContext<number>, out: Collector<Step>): void {
    out.collect({ key: ctx.getCurrentKey(), kind: 'timer', value: ts });
  }
}

/** Settings of one run of {@link runPipeline}. */
export interface PipelineRun {
  readonly n: number;
  /** Record values at which the user function throws, once each. */
  readonly failAt?: Iterable<number>;
  readonly restartStrategy?: RestartStrategyConfiguration;
  readonly checkpointing?: boolean;
  readonly store?: CommitStore<string>;
  /** Incremental checkpoints with chains of this length (memory storage resolves them). */
  readonly incrementalChain?: number;
  /** Checkpoint storage (memory when unset). */
  readonly storage?: string;
}

/**
 * source(1..n, parallelism 1) -> map (may throw; advances the manual clock 1 ms per record so
 * periodic checkpoints and watermarks interleave with records) -> keyBy -> running sums and timers
 * -> a direct and a slow (bursting) path -> union -> keyBy -> tumbling event-time windows ->
 * committing sink. Deterministic output for any
 * schedule, so a run with failures must commit exactly what an uninterrupted run commits.
 */
export function runPipeline(run: PipelineRun): {
  job: JobClient;
  store: CommitStore<string>;
  clock: ManualClock;
} {
  const clock = new ManualClock(0);
  const store = run.store ?? new CommitStore<string>();
  const failAt = new Set(run.failAt ?? []);
  const env = new StreamExecutionEnvironment({
    parallelism: 2,
    clock,
    bufferCapacity: 8,
    autoWatermarkInterval: 20,
  });
  if (run.checkpointing ?? true) env.enableCheckpointing(30);
  if (run.incrementalChain !== undefined)
    env.getCheckpointConfig().enableIncrementalCheckpoints(run.incrementalChain);
  if (run.storage !== undefined) env.getCheckpointConfig().setCheckpointStorage(run.storage);
  if (run.restartStrategy) env.setRestartStrategy(run.restartStrategy);
  const sums = env
    .fromSource(
      new NumberSequenceSource(1, run.n, { maxRecordsPerPoll: 3 }),
      WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x * 10),
      'numbers',
    )
    .setParallelism(1)
    .map((x) => {
      clock.advance(1);
      if (failAt.delete(x)) throw new Error(`boom at ${x}`);
      return x;
    })
    .setParallelism(1)
    .keyBy((x) => x % 5)
    .process(new RunningSums());
  // Two paths of different speed into the windows: the slow one bursts (each step three times)
  // through its own task, so its barriers lag behind and the windows' inputs must align.
  const direct = sums.filter((s) => s.key % 2 === 0);
  const slow = sums
    .filter((s) => s.key % 2 === 1)
    .flatMap((s: Step, out: Collector<Step>) => {
      for (let i = 0; i < 3; i++) out.collect(s);
    })
    .disableChaining();
  direct
    .union(slow)
    .keyBy((s) => s.key)
    .window(TumblingEventTimeWindows.of<Step>(500))
    .apply((key: number, window, steps: Iterable<Step>, out: Collector<string>) => {
      let recs = 0;
      let sum = 0;
      const timers: number[] = [];
      for (const s of steps) {
        if (s.kind === 'rec') {
          recs++;
          sum += s.value;
        } else timers.push(s.value);
      }
      out.collect(
        `k${key} [${window.start},${window.end}) recs=${recs} sum=${sum} timers=${timers.sort((a, b) => a - b).join(',')}`,
      );
    })
    .transform('commit', () => new CommittingSinkOperator(store));
  return { job: env.execute('pipeline'), store, clock };
}

/** The committed output of an uninterrupted run, sorted (computed once per `n`). */
const expectedCache = new Map<number, string[]>();
export async function expectedOutput(n: number): Promise<string[]> {
  let out = expectedCache.get(n);
  if (!out) {
    // Checkpointing on (the sink commits on checkpoints), no failure.
    const { job, store } = runPipeline({ n });
    await job;
    out = store.values().sort();
    expectedCache.set(n, out);
  }
  return out;
}
