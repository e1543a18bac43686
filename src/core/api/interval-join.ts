import { TwoInputTransformation } from '../graph/transformation.js';
import { copyFunction } from '../runtime/operators/abstract-udf-stream-operator.js';
import { IntervalJoinOperator } from '../runtime/operators/interval-join-operator.js';
import { type KeyedStream, SingleOutputStreamOperator } from './data-stream.js';
import type { OutputTag } from './output-tag.js';
import type { ProcessJoinFunction } from './process-join-function.js';

/**
 * The start of an interval join of two keyed streams (Flink's `KeyedStream.IntervalJoin`): pick the
 * bounds with {@link between}. Both streams must be keyed with keys that compare equal for
 * elements that should meet. Only event time is supported.
 *
 * @example
 * ```ts
 * // each order with the clicks of the same user from 10 min before it up to the order itself
 * orders.keyBy((o) => o.user)
 *   .intervalJoin(clicks.keyBy((c) => c.user))
 *   .between(Duration.ofMinutes(-10), 0)
 *   .process(new OrderWithClicks());
 * ```
 */
export class KeyedStreamIntervalJoin<T1, T2, K> {
  private processingTime = false;

  /** @internal use `keyedStream.intervalJoin(otherKeyedStream)` */
  constructor(
    readonly left: KeyedStream<T1, K>,
    readonly right: KeyedStream<T2, K>,
  ) {}

  /** Joins on event time (the default and the only supported time). */
  inEventTime(): this {
    this.processingTime = false;
    return this;
  }

  /** Accepted for Flink parity; {@link between} then fails, as interval joins need event time. */
  inProcessingTime(): this {
    this.processingTime = true;
    return this;
  }

  /**
   * Pairs each left element at `l` with the right elements of the same key at `r` where
   * `l + lowerBound <= r <= l + upperBound` (ms, inclusive unless made exclusive). Bounds may be
   * negative; `lowerBound` must not exceed `upperBound`.
   */
  between(lowerBound: number, upperBound: number): IntervalJoined<T1, T2, K> {
    if (this.processingTime) {
      throw new Error('interval joins are only supported in event time');
    }
    for (const [name, bound] of [
      ['lowerBound', lowerBound],
      ['upperBound', upperBound],
    ] as const) {
      // Integral because exclusive bounds move by one millisecond, as with Flink's long timestamps.
      if (!Number.isSafeInteger(bound)) {
        throw new Error(`interval join: ${name} must be an integer number of ms, got ${bound}`);
      }
    }
    if (lowerBound > upperBound) {
      throw new Error(
        `interval join: lowerBound <= upperBound must hold, got [${lowerBound}, ${upperBound}]`,
      );
    }
    return new IntervalJoined(this.left, this.right, lowerBound, upperBound);
  }
}

/**
 * An interval join with its bounds (Flink's `KeyedStream.IntervalJoined`): optionally make a bound
 * exclusive or catch late elements, then give the {@link ProcessJoinFunction}.
 *
 * @example
 * ```ts
 * const lateClicks = new OutputTag<Click>('late-clicks');
 * const joined = clicks.keyBy((c) => c.user)
 *   .intervalJoin(orders.keyBy((o) => o.user))
 *   .between(0, Duration.ofMinutes(30))
 *   .upperBoundExclusive()
 *   .sideOutputLeftLateData(lateClicks)
 *   .process(new Attribute());
 * joined.getSideOutput(lateClicks).print();
 * ```
 */
export class IntervalJoined<T1, T2, K> {
  private lowerBoundInclusive = true;
  private upperBoundInclusive = true;
  private leftLateDataTag: OutputTag<T1> | undefined;
  private rightLateDataTag: OutputTag<T2> | undefined;

  /** @internal use `KeyedStreamIntervalJoin.between` */
  constructor(
    readonly left: KeyedStream<T1, K>,
    readonly right: KeyedStream<T2, K>,
    readonly lowerBound: number,
    readonly upperBound: number,
  ) {}

  /** Right elements at exactly `l + lowerBound` no longer match. */
  lowerBoundExclusive(): this {
    this.lowerBoundInclusive = false;
    return this;
  }

  /** Right elements at exactly `l + upperBound` no longer match. */
  upperBoundExclusive(): this {
    this.upperBoundInclusive = false;
    return this;
  }

  /** Left elements behind the watermark go to `tag` instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    this.leftLateDataTag = tag;
    return this;
  }

  /** Right elements behind the watermark go to `tag` instead of being dropped. */
  sideOutputRightLateData(tag: OutputTag<T2>): this {
    this.rightLateDataTag = tag;
    return this;
  }

  /** Calls `fn` for every joined pair; results carry the larger timestamp of the pair. */
  process<OUT>(fn: ProcessJoinFunction<T1, T2, OUT>): SingleOutputStreamOperator<OUT> {
    const options = {
      lowerBound: this.lowerBound,
      upperBound: this.upperBound,
      lowerBoundInclusive: this.lowerBoundInclusive,
      upperBoundInclusive: this.upperBoundInclusive,
      keySelector1: this.left.getKeySelector(),
      keySelector2: this.right.getKeySelector(),
      leftLateDataTag: this.leftLateDataTag,
      rightLateDataTag: this.rightLateDataTag,
    };
    const t = new TwoInputTransformation<T1, T2, OUT>(
      'Interval Join',
      this.left.getTransformation(),
      this.right.getTransformation(),
      () => new IntervalJoinOperator<K, T1, T2, OUT>(copyFunction(fn), options),
      options.keySelector1,
      options.keySelector2,
    );
    const env = this.left.getExecutionEnvironment();
    env.addOperator(t);
    return new SingleOutputStreamOperator(env, t);
  }
}
