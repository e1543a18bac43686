import { CheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { AsyncIterableSource } from '../connectors/async-iterable-source.js';
import { FileSource } from '../connectors/file-source.js';
import { FromElementsSource } from '../connectors/from-elements-source.js';
import { NumberSequenceSource } from '../connectors/number-sequence-source.js';
import { Boundedness, type Source } from '../connectors/source.js';
import { JobGraph } from '../graph/job-graph.js';
import { StreamGraph } from '../graph/stream-graph.js';
import { SourceTransformation, type Transformation } from '../graph/transformation.js';
import {
  DEFAULT_CHECKPOINTING_RESTART_STRATEGY,
  RestartStrategies,
  type RestartStrategyConfiguration,
} from '../restart/restart-strategies.js';
import { JobExecution } from '../runtime/job-execution.js';
import { RuntimeExecutionMode } from '../runtime/stream-operator.js';
import { DEFAULT_MAX_PARALLELISM } from '../state/key-groups.js';
import { type Clock, SYSTEM_CLOCK } from '../time/processing-time-service.js';
import { WatermarkStrategy } from '../time/watermark-strategy.js';
import { SingleOutputStreamOperator } from './data-stream.js';
import type { ExecuteOptions } from './execute-options.js';
import { JobClient } from './job-client.js';

/** Options of {@link StreamExecutionEnvironment}; every one also has a setter. */
export interface EnvironmentOptions {
  parallelism?: number;
  maxParallelism?: number;
  runtimeMode?: RuntimeExecutionMode;
  /** Processing time between periodic watermarks, ms (Flink's default 200; 0 disables them). */
  autoWatermarkInterval?: number;
  /** Records an exchange channel buffers before the producer pauses (backpressure). */
  bufferCapacity?: number;
  chaining?: boolean;
  /** Processing-time clock; a `ManualClock` makes processing time deterministic in tests. */
  clock?: Clock;
}

/**
 * Where a streaming program is defined and run (Flink's `StreamExecutionEnvironment`). Jobs run
 * in this process; parallel instances share its event loop.
 *
 * @example
 * ```ts
 * const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
 * env.fromSequence(1, 1_000_000).keyBy((n) => n % 10).sum().print();
 * const result = await env.execute('sums');
 * ```
 */
export class StreamExecutionEnvironment {
  private parallelism: number;
  private maxParallelism: number;
  private runtimeMode: RuntimeExecutionMode;
  private autoWatermarkInterval: number;
  private bufferCapacity: number;
  private chaining: boolean;
  private clock: Clock;
  private transformations: Transformation<any>[] = [];
  private readonly checkpointConfig = new CheckpointConfig();
  private restartStrategy: RestartStrategyConfiguration | undefined;

  constructor(options: EnvironmentOptions = {}) {
    this.parallelism = 1;
    this.maxParallelism = DEFAULT_MAX_PARALLELISM;
    this.runtimeMode = RuntimeExecutionMode.STREAMING;
    this.autoWatermarkInterval = 200;
    this.bufferCapacity = 1024;
    this.chaining = true;
    this.clock = SYSTEM_CLOCK;
    if (options.parallelism !== undefined) this.setParallelism(options.parallelism);
    if (options.maxParallelism !== undefined) this.setMaxParallelism(options.maxParallelism);
    if (options.runtimeMode !== undefined) this.setRuntimeMode(options.runtimeMode);
    if (options.autoWatermarkInterval !== undefined)
      this.setAutoWatermarkInterval(options.autoWatermarkInterval);
    if (options.bufferCapacity !== undefined) this.setBufferCapacity(options.bufferCapacity);
    if (options.chaining === false) this.disableOperatorChaining();
    if (options.clock) this.setClock(options.clock);
  }

  /** A new environment (the name Flink users know). */
  static getExecutionEnvironment(options?: EnvironmentOptions): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(options);
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new Error(`parallelism must be a positive integer, got ${parallelism}`);
    }
    this.parallelism = parallelism;
    return this;
  }

  getParallelism(): number {
    return this.parallelism;
  }

  /** Number of key groups; fixes how far keyed state can be rescaled. Keep it stable across versions. */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new Error(`maxParallelism must be an integer in [1, 32768], got ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.maxParallelism;
  }

  setRuntimeMode(mode: RuntimeExecutionMode): this {
    this.runtimeMode = mode;
    return this;
  }

  getRuntimeMode(): RuntimeExecutionMode {
    return this.runtimeMode;
  }

  setAutoWatermarkInterval(ms: number): this {
    if (!(ms >= 0)) throw new Error(`autoWatermarkInterval must be >= 0, got ${ms}`);
    this.autoWatermarkInterval = ms;
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }

  setBufferCapacity(records: number): this {
    if (!Number.isInteger(records) || records < 1)
      throw new Error(`bufferCapacity must be >= 1, got ${records}`);
    this.bufferCapacity = records;
    return this;
  }

  getBufferCapacity(): number {
    return this.bufferCapacity;
  }

  disableOperatorChaining(): this {
    this.chaining = false;
    return this;
  }

  isChainingEnabled(): boolean {
    return this.chaining;
  }

  setClock(clock: Clock): this {
    this.clock = clock;
    return this;
  }

  getClock(): Clock {
    return this.clock;
  }

  /**
   * Takes a checkpoint every `intervalMs` of processing time (the environment's clock): a
   * consistent cut of all operator state and source positions, from which a failed job restarts.
   * Other settings are on {@link getCheckpointConfig}.
   *
   * @example
   * ```ts
   * env.enableCheckpointing(10_000).getCheckpointConfig().setCheckpointStorage('/data/chk/fraud');
   * ```
   */
  enableCheckpointing(intervalMs: number): this {
    this.checkpointConfig.setCheckpointInterval(intervalMs);
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  /**
   * What a job does when a task fails (see {@link RestartStrategies}). Unset: no restart without
   * checkpointing; with checkpointing, fixed-delay restarts forever, 1 s apart (as Flink 1.x).
   *
   * @example
   * ```ts
   * env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 10_000));
   * ```
   */
  setRestartStrategy(strategy: RestartStrategyConfiguration): this {
    this.restartStrategy = strategy;
    return this;
  }

  /** The strategy jobs get: the one set, or the default for the checkpointing setting. */
  getRestartStrategy(): RestartStrategyConfiguration {
    if (this.restartStrategy) return this.restartStrategy;
    return this.checkpointConfig.isCheckpointingEnabled()
      ? DEFAULT_CHECKPOINTING_RESTART_STRATEGY
      : RestartStrategies.noRestart();
  }

  /** Reads a {@link Source}, stamping records with the watermark strategy. */
  fromSource<T>(
    source: Source<T, any, any>,
    watermarkStrategy: WatermarkStrategy<T>,
    sourceName: string,
  ): SingleOutputStreamOperator<T> {
    const t = new SourceTransformation<T>(sourceName, source, watermarkStrategy);
    this.addOperator(t);
    return new SingleOutputStreamOperator(this, t);
  }

  /** A bounded stream of the given elements, in order (parallelism 1, as in Flink). */
  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromCollection(elements);
  }

  /** A bounded stream of a collection's elements, in order (parallelism 1). */
  fromCollection<T>(elements: Iterable<T>): SingleOutputStreamOperator<T> {
    return this.fromSource(
      new FromElementsSource<T>([...elements]),
      WatermarkStrategy.noWatermarks(),
      'Collection Source',
    ).setParallelism(1);
  }

  /** Alias of {@link fromCollection} (Flink 1.19's name). */
  fromData<T>(elements: Iterable<T>): SingleOutputStreamOperator<T> {
    return this.fromCollection(elements);
  }

  /** The numbers `from..to` inclusive, split over the parallel instances. */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    return this.fromSource(
      new NumberSequenceSource(from, to),
      WatermarkStrategy.noWatermarks(),
      'Sequence Source',
    );
  }

  /**
   * The items of an async (or sync) iterable, parallelism 1. The factory is called again on
   * restore, so it should yield the same items for exactly-once results.
   */
  fromAsyncIterable<T>(
    factory: () => AsyncIterable<T> | Iterable<T>,
    options: { bounded?: boolean } = {},
  ): SingleOutputStreamOperator<T> {
    return this.fromSource(
      new AsyncIterableSource<T>(factory, options),
      WatermarkStrategy.noWatermarks(),
      'Async Iterable Source',
    ).setParallelism(1);
  }

  /** The lines of text files, one record per line (bounded). */
  readTextFile(...paths: string[]): SingleOutputStreamOperator<string> {
    return this.fromSource(
      FileSource.forTextLines(...paths),
      WatermarkStrategy.noWatermarks(),
      'File Source',
    );
  }

  /** @internal registers an operator so that `execute()` runs it. */
  addOperator(t: Transformation<any>): void {
    this.transformations.push(t);
  }

  /** The logical plan as it stands (for inspection and tests). */
  getStreamGraph(): StreamGraph {
    return StreamGraph.build(this.transformations, {
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
    });
  }

  /** The plan split into chained tasks. */
  getJobGraph(): JobGraph {
    return JobGraph.build(this.getStreamGraph(), this.chaining);
  }

  /**
   * Starts the job and returns its handle; `await` the handle to wait for the end. The
   * environment is cleared, so it can define and run another job.
   */
  execute(jobNameOrOptions: string | ExecuteOptions = {}): JobClient {
    const options = typeof jobNameOrOptions === 'string' ? { jobName: jobNameOrOptions } : jobNameOrOptions;
    const jobName = options.jobName ?? 'Streaming Job';
    const graph = this.getStreamGraph();
    const mode = this.resolveMode(graph);
    const execution = new JobExecution(JobGraph.build(graph, this.chaining), {
      jobName,
      executionMode: mode,
      autoWatermarkInterval: this.autoWatermarkInterval,
      clock: this.clock,
      bufferCapacity: this.bufferCapacity,
      chainingEnabled: this.chaining,
      checkpointConfig: this.checkpointConfig.copy(),
      restartStrategy: this.getRestartStrategy(),
      restoreFrom: options.restoreFrom,
      allowNonRestoredState: options.allowNonRestoredState,
    });
    this.transformations = [];
    return new JobClient(execution.start());
  }

  /** Same as {@link execute} (Flink's name for the non-blocking variant). */
  executeAsync(jobNameOrOptions?: string | ExecuteOptions): JobClient {
    return this.execute(jobNameOrOptions);
  }

  private resolveMode(graph: StreamGraph): RuntimeExecutionMode.STREAMING | RuntimeExecutionMode.BATCH {
    const bounded = graph.isBounded();
    switch (this.runtimeMode) {
      case RuntimeExecutionMode.STREAMING:
        return RuntimeExecutionMode.STREAMING;
      case RuntimeExecutionMode.BATCH:
        if (!bounded) {
          throw new Error(
            `Detected an ${Boundedness.CONTINUOUS_UNBOUNDED} source with the runtime mode set to BATCH; use STREAMING or AUTOMATIC`,
          );
        }
        return RuntimeExecutionMode.BATCH;
      case RuntimeExecutionMode.AUTOMATIC:
        return bounded ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING;
    }
  }
}
