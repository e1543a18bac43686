import { TwoInputTransformation } from '../graph/transformation.js';
import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import { CoProcessOperator } from '../runtime/operators/co-process-operator.js';
import { CoStreamFlatMap } from '../runtime/operators/co-stream-flat-map.js';
import { CoStreamMap } from '../runtime/operators/co-stream-map.js';
import type { CoProcessFunction, KeyedCoProcessFunction } from './co-process-function.js';
import {
  type DataStream,
  type KeyExpression,
  KeyedStream,
  SingleOutputStreamOperator,
} from './data-stream.js';
import type { CoFlatMapFunction, CoMapFunction } from './functions.js';
import type { StreamExecutionEnvironment } from './stream-execution-environment.js';

/**
 * Two streams of possibly different types processed by one operator that sees both (Flink's
 * `ConnectedStreams`). When both are keyed (or after `keyBy`), keyed state and timers are shared
 * between the two inputs for each key.
 */
export class ConnectedStreams<IN1, IN2> {
  /** @internal use `stream.connect(other)` */
  constructor(
    private readonly environment: StreamExecutionEnvironment,
    readonly firstInput: DataStream<IN1>,
    readonly secondInput: DataStream<IN2>,
  ) {}

  /** Keys both inputs (the keys must be comparable: equal keys meet in the same instance). */
  keyBy<K>(key1: KeyExpression<IN1, K>, key2: KeyExpression<IN2, K>): ConnectedStreams<IN1, IN2> {
    return new ConnectedStreams(this.environment, this.firstInput.keyBy(key1), this.secondInput.keyBy(key2));
  }

  map<OUT>(fn: CoMapFunction<IN1, IN2, OUT>): SingleOutputStreamOperator<OUT> {
    return this.transform('Co-Map', () => new CoStreamMap<IN1, IN2, OUT>(copyFunction(fn)));
  }

  flatMap<OUT>(fn: CoFlatMapFunction<IN1, IN2, OUT>): SingleOutputStreamOperator<OUT> {
    return this.transform('Co-Flat Map', () => new CoStreamFlatMap<IN1, IN2, OUT>(copyFunction(fn)));
  }

  process<OUT, K = unknown>(
    fn: CoProcessFunction<IN1, IN2, OUT> | KeyedCoProcessFunction<K, IN1, IN2, OUT>,
  ): SingleOutputStreamOperator<OUT> {
    const [k1, k2] = this.keySelectors<K>();
    return this.transform(
      k1 ? 'Co-Keyed-Process' : 'Co-Process',
      () => new CoProcessOperator<K, IN1, IN2, OUT>(copyFunction(fn), k1, k2),
    );
  }

  private keySelectors<K>(): [((v: IN1) => K) | undefined, ((v: IN2) => K) | undefined] {
    const a = this.firstInput instanceof KeyedStream ? this.firstInput.getKeySelector() : undefined;
    const b = this.secondInput instanceof KeyedStream ? this.secondInput.getKeySelector() : undefined;
    if ((a === undefined) !== (b === undefined)) {
      throw new Error(
        'connected streams must both be keyed or both be non-keyed (use connect(...).keyBy(k1, k2))',
      );
    }
    return [a as ((v: IN1) => K) | undefined, b as ((v: IN2) => K) | undefined];
  }

  private transform<OUT>(
    name: string,
    factory: () => import('../runtime/stream-operator.js').StreamOperator<OUT>,
  ): SingleOutputStreamOperator<OUT> {
    const [k1, k2] = this.keySelectors<unknown>();
    const t = new TwoInputTransformation<IN1, IN2, OUT>(
      name,
      this.firstInput.getTransformation(),
      this.secondInput.getTransformation(),
      factory,
      k1,
      k2,
    );
    this.environment.addOperator(t);
    return new SingleOutputStreamOperator(this.environment, t);
  }
}
