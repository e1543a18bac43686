import { TwoInputTransformation } from '../graph/transformation.js';
import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import { CoBroadcastOperator } from '../runtime/operators/co-broadcast-operator.js';
import type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from './broadcast-process-function.js';
import type { BroadcastStream } from './broadcast-stream.js';
import { type DataStream, KeyedStream, SingleOutputStreamOperator } from './data-stream.js';

/**
 * A (keyed or non-keyed) stream connected with a broadcast stream (Flink's
 * `BroadcastConnectedStream`). On a keyed stream pass a {@link KeyedBroadcastProcessFunction}.
 */
export class BroadcastConnectedStream<IN1, IN2> {
  /** @internal use `stream.connect(broadcastStream)` */
  constructor(
    readonly nonBroadcastStream: DataStream<IN1>,
    readonly broadcastStream: BroadcastStream<IN2>,
  ) {}

  process<OUT, K = unknown>(
    fn: BroadcastProcessFunction<IN1, IN2, OUT> | KeyedBroadcastProcessFunction<K, IN1, IN2, OUT>,
  ): SingleOutputStreamOperator<OUT> {
    const env = this.nonBroadcastStream.getExecutionEnvironment();
    const keyed = this.nonBroadcastStream instanceof KeyedStream;
    const keySelector = keyed ? (this.nonBroadcastStream as KeyedStream<IN1, K>).getKeySelector() : undefined;
    const descriptors = this.broadcastStream.descriptors;
    const t = new TwoInputTransformation<IN1, IN2, OUT>(
      keyed ? 'Co-Process-Broadcast-Keyed' : 'Co-Process-Broadcast',
      this.nonBroadcastStream.getTransformation(),
      this.broadcastStream.transformation,
      () => new CoBroadcastOperator<K, IN1, IN2, OUT>(copyFunction(fn), descriptors, keySelector),
      keySelector,
    );
    env.addOperator(t);
    return new SingleOutputStreamOperator(env, t);
  }
}
