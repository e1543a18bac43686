import { CollectSink } from '../connectors/collect-sink.js';
import { PrintSink } from '../connectors/print-sink.js';
import type { Sink } from '../connectors/sink.js';
import { isTwoPhaseCommittingSink } from '../connectors/two-phase-commit/two-phase-committing-sink.js';
import {
  ChainingStrategy,
  OneInputTransformation,
  type OperatorFactory,
  PartitionTransformation,
  SideOutputTransformation,
  type Transformation,
  UnionTransformation,
} from '../graph/transformation.js';
import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import { CommittingSinkOperator } from '../runtime/operators/committing-sink-operator.js';
import { KeyedProcessOperator } from '../runtime/operators/keyed-process-operator.js';
import { ProcessOperator } from '../runtime/operators/process-operator.js';
import { SinkWriterOperator } from '../runtime/operators/sink-writer-operator.js';
import { StreamFilter } from '../runtime/operators/stream-filter.js';
import { StreamFlatMap } from '../runtime/operators/stream-flat-map.js';
import { StreamGroupedReduceOperator } from '../runtime/operators/stream-grouped-reduce-operator.js';
import { StreamMap } from '../runtime/operators/stream-map.js';
import { TimestampsAndWatermarksOperator } from '../runtime/operators/timestamps-and-watermarks-operator.js';
import { BroadcastPartitioner } from '../runtime/partitioners/broadcast-partitioner.js';
import { CustomPartitionerWrapper } from '../runtime/partitioners/custom-partitioner-wrapper.js';
import { ForwardPartitioner } from '../runtime/partitioners/forward-partitioner.js';
import { GlobalPartitioner } from '../runtime/partitioners/global-partitioner.js';
import { KeyGroupStreamPartitioner } from '../runtime/partitioners/key-group-stream-partitioner.js';
import { RebalancePartitioner } from '../runtime/partitioners/rebalance-partitioner.js';
import { RescalePartitioner } from '../runtime/partitioners/rescale-partitioner.js';
import { ShufflePartitioner } from '../runtime/partitioners/shuffle-partitioner.js';
import type { StreamPartitioner } from '../runtime/partitioners/stream-partitioner.js';
import type { MapStateDescriptor } from '../state/state-descriptor.js';
import type { WatermarkStrategy } from '../time/watermark-strategy.js';
import { GlobalWindows } from '../windows/assigners/global-windows.js';
import { CountEvictor } from '../windows/evictors/count-evictor.js';
import { CountTrigger } from '../windows/triggers/count-trigger.js';
import { PurgingTrigger } from '../windows/triggers/purging-trigger.js';
import type { GlobalWindow, Window } from '../windows/window.js';
import type { WindowAssigner } from '../windows/window-assigner.js';
import { aggregationReducer, byReducer, type FieldExpression } from './aggregations.js';
import { AllWindowedStream } from './all-windowed-stream.js';
import { BroadcastConnectedStream } from './broadcast-connected-stream.js';
import { BroadcastStream } from './broadcast-stream.js';
import { CoGroupedStreams, JoinedStreams } from './co-grouped-streams.js';
import { ConnectedStreams } from './connected-streams.js';
import { DataStreamSink } from './data-stream-sink.js';
import {
  type FilterFunction,
  type FlatMapFunction,
  type KeySelector,
  type MapFunction,
  type Partitioner,
  type ReduceFunctionLike,
  toCallable,
} from './functions.js';
import { KeyedStreamIntervalJoin } from './interval-join.js';
import type { KeyedProcessFunction } from './keyed-process-function.js';
import type { OutputTag } from './output-tag.js';
import type { ProcessFunction } from './process-function.js';
import type { StreamExecutionEnvironment } from './stream-execution-environment.js';
import { WindowedStream } from './windowed-stream.js';

/** A key: a selector function, or a field name / array index of the record. */
export type KeyExpression<T, K> = KeySelector<T, K> | string | number;

function toKeySelector<T, K>(key: KeyExpression<T, K>): KeySelector<T, K> {
  if (typeof key === 'function') return key;
  return (v: T) => (v as any)[key] as K;
}

/**
 * A stream of records of type `T` (Flink's `DataStream`). Transformations return new streams;
 * nothing runs until `env.execute()`.
 *
 * @example
 * ```ts
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements('a b', 'b c')
 *   .flatMap((line: string, out) => line.split(' ').forEach((w) => out.collect(w)))
 *   .map((w) => [w, 1] as [string, number])
 *   .keyBy((t) => t[0])
 *   .sum(1)
 *   .print();
 * await env.execute('word count');
 * ```
 */
export class DataStream<T> {
  constructor(
    protected readonly environment: StreamExecutionEnvironment,
    protected readonly transformation: Transformation<T>,
  ) {}

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.environment;
  }

  getTransformation(): Transformation<T> {
    return this.transformation;
  }

  getParallelism(): number {
    return this.transformation.parallelism ?? this.environment.getParallelism();
  }

  map<R>(mapper: MapFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.transform('Map', () => new StreamMap<T, R>(copyFunction(mapper)));
  }

  flatMap<R>(flatMapper: FlatMapFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.transform('Flat Map', () => new StreamFlatMap<T, R>(copyFunction(flatMapper)));
  }

  filter(filter: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.transform('Filter', () => new StreamFilter<T>(copyFunction(filter)));
  }

  /** Applies a {@link ProcessFunction} (no keyed state or timers; use `keyBy` first for those). */
  process<R>(fn: ProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    return this.transform('Process', () => new ProcessOperator<T, R>(copyFunction(fn)));
  }

  /** Partitions by key: records with equal keys go to the same instance and share keyed state. */
  keyBy<K>(key: KeyExpression<T, K>): KeyedStream<T, K> {
    return new KeyedStream<T, K>(this, toKeySelector(key));
  }

  /** Merges streams of the same type; the result's watermark is the minimum of the inputs'. */
  union(...streams: DataStream<T>[]): DataStream<T> {
    for (const s of streams) {
      if (s.environment !== this.environment)
        throw new Error('cannot union streams of different environments');
    }
    return new DataStream(
      this.environment,
      new UnionTransformation([this.transformation, ...streams.map((s) => s.transformation)]),
    );
  }

  /** Connects with another stream (CoMap, CoFlatMap, CoProcess) or a broadcast stream. */
  connect<R>(other: BroadcastStream<R>): BroadcastConnectedStream<T, R>;
  connect<R>(other: DataStream<R>): ConnectedStreams<T, R>;
  connect<R>(
    other: DataStream<R> | BroadcastStream<R>,
  ): ConnectedStreams<T, R> | BroadcastConnectedStream<T, R> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream(this, other);
    return new ConnectedStreams(this.environment, this, other);
  }

  /**
   * With descriptors: a {@link BroadcastStream} carrying broadcast state of those names, to
   * `connect` to. Without: every record to every downstream instance.
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    if (descriptors.length === 0) return this.partition(new BroadcastPartitioner<T>());
    return new BroadcastStream(this.environment, this, descriptors);
  }

  forward(): DataStream<T> {
    return this.partition(new ForwardPartitioner<T>());
  }

  shuffle(): DataStream<T> {
    return this.partition(new ShufflePartitioner<T>());
  }

  rebalance(): DataStream<T> {
    return this.partition(new RebalancePartitioner<T>());
  }

  rescale(): DataStream<T> {
    return this.partition(new RescalePartitioner<T>());
  }

  global(): DataStream<T> {
    return this.partition(new GlobalPartitioner<T>());
  }

  partitionCustom<K>(partitioner: Partitioner<K>, key: KeyExpression<T, K>): DataStream<T> {
    return this.partition(new CustomPartitionerWrapper<T, K>(partitioner, toKeySelector(key)));
  }

  /** Groups this stream with another by key and window: `a.coGroup(b).where(k1).equalTo(k2).window(w).apply(fn)`. */
  coGroup<R>(other: DataStream<R>): CoGroupedStreams<T, R> {
    return new CoGroupedStreams(this, other);
  }

  /** Inner window join: `a.join(b).where(k1).equalTo(k2).window(w).apply(joinFn)`. */
  join<R>(other: DataStream<R>): JoinedStreams<T, R> {
    return new JoinedStreams(this, other);
  }

  /** Windows over the whole stream (parallelism 1: every element meets in one operator). */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  /** Count windows over the whole stream: every `size` elements, or the last `size` every `slide`. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const w = this.windowAll<GlobalWindow>(GlobalWindows.create());
    return slide === undefined
      ? w.trigger(PurgingTrigger.of(CountTrigger.of<T>(size)))
      : w.evictor(CountEvictor.of<T>(size)).trigger(CountTrigger.of<T>(slide));
  }

  /** Stamps records with event time and generates watermarks from this point on. */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    const interval = this.environment.getAutoWatermarkInterval();
    return this.transform(
      'Timestamps/Watermarks',
      () => new TimestampsAndWatermarksOperator<T>(strategy, interval),
    );
  }

  sinkTo(sink: Sink<T>): DataStreamSink<T> {
    // Two-phase-committing sinks (exactly-once) pre-commit at checkpoints and commit on completion.
    const t = new OneInputTransformation<T, never>('Sink', this.transformation, () =>
      isTwoPhaseCommittingSink(sink)
        ? new CommittingSinkOperator<T, unknown>(sink)
        : new SinkWriterOperator<T>(sink),
    );
    this.environment.addOperator(t);
    return new DataStreamSink(t);
  }

  /** Prints every record to stdout (`prefix> value`, with the instance number when parallel). */
  print(prefix?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(prefix)).name('Print to Std. Out');
  }

  /** Prints every record to stderr. */
  printToErr(prefix?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(prefix, true)).name('Print to Std. Err');
  }

  /**
   * Runs the job and returns everything this stream produced, in arrival order (for tests and
   * small bounded jobs). The environment's other sinks run too.
   */
  async executeAndCollect(jobName = 'collect'): Promise<T[]> {
    const sink = new CollectSink<T>();
    this.sinkTo(sink).name('Collect');
    await this.environment.execute(jobName);
    return sink.values;
  }

  /** Adds a one-input operator after this stream. */
  transform<R>(name: string, factory: OperatorFactory<R>): SingleOutputStreamOperator<R> {
    const t = new OneInputTransformation<T, R>(name, this.transformation, factory);
    this.environment.addOperator(t);
    return new SingleOutputStreamOperator(this.environment, t);
  }

  protected partition(partitioner: StreamPartitioner<T>): DataStream<T> {
    return new DataStream(this.environment, new PartitionTransformation(this.transformation, partitioner));
  }
}

/**
 * The stream of an operator, with that operator's settings (Flink's
 * `SingleOutputStreamOperator`): name, uid, parallelism, chaining, side outputs.
 */
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  /** Display name of the operator. */
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }

  /** Stable id used to map state in savepoints; set it on every stateful operator. */
  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    this.transformation.setParallelism(parallelism);
    return this;
  }

  setMaxParallelism(maxParallelism: number): this {
    this.transformation.setMaxParallelism(maxParallelism);
    return this;
  }

  /** Never chain this operator with its neighbours. */
  disableChaining(): this {
    this.transformation.chainingStrategy = ChainingStrategy.NEVER;
    return this;
  }

  /** Start a new chain at this operator. */
  startNewChain(): this {
    this.transformation.chainingStrategy = ChainingStrategy.HEAD;
    return this;
  }

  /** The records this operator emitted to `tag` with `ctx.output(tag, value)`. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    return new DataStream(this.environment, new SideOutputTransformation<X>(this.transformation, tag));
  }
}

/**
 * A stream partitioned by key (Flink's `KeyedStream`): keyed state and timers are available to
 * its process functions, and rolling aggregations keep one value per key.
 */
export class KeyedStream<T, K> extends DataStream<T> {
  constructor(
    input: DataStream<T>,
    readonly keySelector: KeySelector<T, K>,
  ) {
    const env = input.getExecutionEnvironment();
    super(
      env,
      new PartitionTransformation(
        input.getTransformation(),
        new KeyGroupStreamPartitioner<T, K>(keySelector, env.getMaxParallelism()),
      ),
    );
  }

  getKeySelector(): KeySelector<T, K> {
    return this.keySelector;
  }

  /** Applies a {@link KeyedProcessFunction} with keyed state and timers. */
  override process<R>(
    fn: KeyedProcessFunction<K, T, R> | ProcessFunction<T, R>,
  ): SingleOutputStreamOperator<R> {
    const keySelector = this.keySelector;
    return this.keyedTransform(
      'KeyedProcess',
      () => new KeyedProcessOperator<K, T, R>(copyFunction(fn) as KeyedProcessFunction<K, T, R>, keySelector),
    );
  }

  /** Rolling reduce: emits the key's running aggregate for every record. */
  reduce(reducer: ReduceFunctionLike<T>): SingleOutputStreamOperator<T> {
    const fn = toCallable<(a: T, b: T) => T>(copyFunction(reducer) as any, 'reduce');
    return this.rolling('Keyed Reduce', fn);
  }

  /** Rolling sum of a field (name, dotted path or array index; omit it for a stream of numbers). */
  sum(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.rolling('Keyed Aggregation', aggregationReducer<T>('sum', field));
  }

  /** Rolling minimum of a field; the other fields come from the key's first record. */
  min(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.rolling('Keyed Aggregation', aggregationReducer<T>('min', field));
  }

  /** Rolling maximum of a field; the other fields come from the key's first record. */
  max(field?: FieldExpression): SingleOutputStreamOperator<T> {
    return this.rolling('Keyed Aggregation', aggregationReducer<T>('max', field));
  }

  /** The record with the smallest value of a field or selector (first one on ties by default). */
  minBy(
    field?: FieldExpression | ((value: T) => number | string),
    first = true,
  ): SingleOutputStreamOperator<T> {
    return this.rolling('Keyed Aggregation', byReducer<T>('minBy', field, first));
  }

  /** The record with the largest value of a field or selector (first one on ties by default). */
  maxBy(
    field?: FieldExpression | ((value: T) => number | string),
    first = true,
  ): SingleOutputStreamOperator<T> {
    return this.rolling('Keyed Aggregation', byReducer<T>('maxBy', field, first));
  }

  /**
   * Joins with another keyed stream on event-time intervals:
   * `a.intervalJoin(b).between(-2000, 1000).process(fn)` pairs every `b` within [a.ts - 2 s, a.ts + 1 s].
   */
  intervalJoin<T2>(other: KeyedStream<T2, K>): KeyedStreamIntervalJoin<T, T2, K> {
    return new KeyedStreamIntervalJoin(this, other);
  }

  /** Cuts the keyed stream into windows. */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /**
   * Count windows per key (Flink's `countWindow`): without `slide`, a tumbling window firing and
   * purging every `size` elements; with it, the last `size` elements every `slide` elements.
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const w = this.window<GlobalWindow>(GlobalWindows.create());
    return slide === undefined
      ? w.trigger(PurgingTrigger.of(CountTrigger.of<T>(size)))
      : w.evictor(CountEvictor.of<T>(size)).trigger(CountTrigger.of<T>(slide));
  }

  /** Adds a keyed one-input operator (keyed state and timers by this stream's key). */
  keyedTransform<R>(name: string, factory: OperatorFactory<R>): SingleOutputStreamOperator<R> {
    const t = new OneInputTransformation<T, R>(name, this.transformation, factory, this.keySelector);
    this.environment.addOperator(t);
    return new SingleOutputStreamOperator(this.environment, t);
  }

  private rolling(name: string, reducer: (a: T, b: T) => T): SingleOutputStreamOperator<T> {
    const keySelector = this.keySelector;
    return this.keyedTransform(name, () => new StreamGroupedReduceOperator<T, K>(reducer, keySelector));
  }
}
