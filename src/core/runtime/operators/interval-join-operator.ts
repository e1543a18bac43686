import type { KeySelector } from '../../api/functions.js';
import type { OutputTag } from '../../api/output-tag.js';
import type { ProcessJoinContext, ProcessJoinFunction } from '../../api/process-join-function.js';
import { NO_TIMESTAMP } from '../../api/timestamps.js';
import type { MapState } from '../../state/state.js';
import { MapStateDescriptor } from '../../state/state-descriptor.js';
import type {
  InternalTimer,
  InternalTimerServiceImpl,
  Triggerable,
} from '../../time/internal-timer-service.js';
import type { Output } from '../output.js';
import type { TwoInputStreamOperator } from '../stream-operator.js';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.js';
import { TimestampedCollector } from './timestamped-collector.js';

/**
 * A buffered element (Flink's `IntervalJoinOperator.BufferEntry`). `joined` records whether the
 * element has met a partner yet; inner joins do not need it, outer joins would.
 */
export interface BufferEntry<T> {
  readonly value: T;
  joined: boolean;
}

/** One side's buffer for the current key: event timestamp -> the elements with that timestamp. */
export type JoinBuffer<T> = MapState<number, BufferEntry<T>[]>;

/** Configuration of {@link IntervalJoinOperator}. */
export interface IntervalJoinOptions<IN1, IN2, K> {
  /** `right.ts >= left.ts + lowerBound` (with `lowerBoundInclusive`), in ms; may be negative. */
  readonly lowerBound: number;
  /** `right.ts <= left.ts + upperBound` (with `upperBoundInclusive`), in ms; at least `lowerBound`. */
  readonly upperBound: number;
  /** Default `true`; exclusive moves the bound inward by 1 ms, as Flink does. */
  readonly lowerBoundInclusive?: boolean;
  /** Default `true`; exclusive moves the bound inward by 1 ms, as Flink does. */
  readonly upperBoundInclusive?: boolean;
  readonly keySelector1: KeySelector<IN1, K>;
  readonly keySelector2: KeySelector<IN2, K>;
  /** Receives left elements that arrive behind the watermark (dropped without it). */
  readonly leftLateDataTag?: OutputTag<IN1>;
  /** Receives right elements that arrive behind the watermark (dropped without it). */
  readonly rightLateDataTag?: OutputTag<IN2>;
}

/** Timer namespaces: which buffer a cleanup timer empties. */
export const CLEANUP_NAMESPACE_LEFT = 'CLEANUP_LEFT';
export const CLEANUP_NAMESPACE_RIGHT = 'CLEANUP_RIGHT';

/** Name of this operator's timer service (part of its snapshot). */
export const INTERVAL_JOIN_TIMER_SERVICE = 'interval-join-cleanup';

/** The context handed to the join function, one per operator, re-pointed for every pair. */
class JoinContext implements ProcessJoinContext {
  leftTimestamp = NO_TIMESTAMP;
  rightTimestamp = NO_TIMESTAMP;
  resultTimestamp = NO_TIMESTAMP;

  constructor(private readonly out: Output<unknown>) {}

  getLeftTimestamp(): number {
    return this.leftTimestamp;
  }

  getRightTimestamp(): number {
    return this.rightTimestamp;
  }

  getTimestamp(): number {
    return this.resultTimestamp;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag, value, this.resultTimestamp);
  }
}

/**
 * Joins two keyed streams on event-time intervals (Flink's `IntervalJoinOperator`): a left element
 * at `l` and a right element at `r` with equal keys are a pair when
 * `l + lowerBound <= r <= l + upperBound`.
 *
 * Each side is buffered per key in a `MapState<timestamp, BufferEntry[]>`; every arriving element
 * is added to its own buffer and joined with the entries of the other buffer whose timestamps fall
 * in its range. An element is removed once no element of the other side that is still on time can
 * pair with it: left ones when the watermark passes `l + upperBound`, right ones when it passes
 * `r - lowerBound` (each clamped to the element's own timestamp), through event-time timers whose
 * namespace names the buffer. Elements behind the watermark are dropped, or sent to the late-data
 * side output of their side.
 *
 * @example
 * ```ts
 * new IntervalJoinOperator(new MyJoin(), {
 *   lowerBound: -5, upperBound: 10, keySelector1: (a) => a.key, keySelector2: (b) => b.key,
 * });
 * ```
 */
export class IntervalJoinOperator<K, IN1, IN2, OUT>
  extends AbstractUdfStreamOperator<OUT, ProcessJoinFunction<IN1, IN2, OUT>>
  implements TwoInputStreamOperator<IN1, IN2, OUT>, Triggerable<K>
{
  /** Bounds with exclusiveness already applied, so matching only compares inclusively. */
  readonly lowerBound: number;
  readonly upperBound: number;
  private readonly keySelector1: KeySelector<IN1, K>;
  private readonly keySelector2: KeySelector<IN2, K>;
  private readonly leftLateDataTag: OutputTag<IN1> | undefined;
  private readonly rightLateDataTag: OutputTag<IN2> | undefined;

  private leftBuffer!: JoinBuffer<IN1>;
  private rightBuffer!: JoinBuffer<IN2>;
  private timers!: InternalTimerServiceImpl<K>;
  private collector!: TimestampedCollector<OUT>;
  private context!: JoinContext;

  constructor(fn: ProcessJoinFunction<IN1, IN2, OUT>, options: IntervalJoinOptions<IN1, IN2, K>) {
    super(fn);
    const { lowerBound, upperBound } = options;
    if (!(lowerBound <= upperBound)) {
      throw new Error(
        `interval join: lowerBound <= upperBound must hold, got [${lowerBound}, ${upperBound}]`,
      );
    }
    this.lowerBound = (options.lowerBoundInclusive ?? true) ? lowerBound : lowerBound + 1;
    this.upperBound = (options.upperBoundInclusive ?? true) ? upperBound : upperBound - 1;
    this.keySelector1 = options.keySelector1;
    this.keySelector2 = options.keySelector2;
    this.leftLateDataTag = options.leftLateDataTag;
    this.rightLateDataTag = options.rightLateDataTag;
  }

  override open(): void | Promise<void> {
    const backend = this.keyedBackend;
    if (!backend) throw new Error('the interval join runs on keyed streams only');
    this.leftBuffer = backend.getOrCreateKeyedState(
      new MapStateDescriptor<number, BufferEntry<IN1>[]>('LEFT_BUFFER'),
    );
    this.rightBuffer = backend.getOrCreateKeyedState(
      new MapStateDescriptor<number, BufferEntry<IN2>[]>('RIGHT_BUFFER'),
    );
    this.timers = this.getInternalTimerService<K>(INTERVAL_JOIN_TIMER_SERVICE, this);
    this.collector = new TimestampedCollector(this.output);
    this.context = new JoinContext(this.output);
    return super.open();
  }

  processElement1(value: IN1, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.keySelector1(value));
    this.processElement(
      value,
      timestamp,
      this.leftBuffer,
      this.rightBuffer,
      this.lowerBound,
      this.upperBound,
      true,
    );
    this.keyedBackend!.onRecordProcessed();
  }

  processElement2(value: IN2, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(this.keySelector2(value));
    // Seen from the right, the left partner lies in [r - upperBound, r - lowerBound].
    this.processElement(
      value,
      timestamp,
      this.rightBuffer,
      this.leftBuffer,
      -this.upperBound,
      -this.lowerBound,
      false,
    );
    this.keyedBackend!.onRecordProcessed();
  }

  private processElement<THIS, OTHER>(
    value: THIS,
    timestamp: number,
    ourBuffer: JoinBuffer<THIS>,
    otherBuffer: JoinBuffer<OTHER>,
    relativeLowerBound: number,
    relativeUpperBound: number,
    isLeft: boolean,
  ): void {
    // Also rejects NaN, which would corrupt the buffer's ordering and the timers.
    if (!(timestamp > NO_TIMESTAMP)) {
      throw new Error(
        `interval join: ${isLeft ? 'left' : 'right'} element without a timestamp; elements of an interval ` +
          'join need event-time timestamps (use assignTimestampsAndWatermarks before keyBy)',
      );
    }
    if (timestamp < this.timers.currentWatermark()) {
      this.sideOutputLate(value, timestamp, isLeft);
      return;
    }

    const ours: BufferEntry<THIS> = { value, joined: false };
    const bucket = ourBuffer.get(timestamp);
    if (bucket === undefined) ourBuffer.put(timestamp, [ours]);
    else {
      bucket.push(ours);
      ourBuffer.put(timestamp, bucket);
    }

    const low = timestamp + relativeLowerBound;
    const high = timestamp + relativeUpperBound;
    let matched = false;
    for (const [otherTimestamp, entries] of otherBuffer.entries()) {
      if (otherTimestamp < low || otherTimestamp > high) continue;
      matched = true;
      for (const entry of entries) {
        entry.joined = true;
        if (isLeft)
          this.collect(value as unknown as IN1, entry.value as unknown as IN2, timestamp, otherTimestamp);
        else this.collect(entry.value as unknown as IN1, value as unknown as IN2, otherTimestamp, timestamp);
      }
      // Written back so a backend that does not hand out live objects sees the flags too.
      otherBuffer.put(otherTimestamp, entries);
    }
    if (matched) {
      ours.joined = true;
      ourBuffer.put(timestamp, ourBuffer.get(timestamp)!);
    }

    // Once the watermark passes this time no on-time element of the other side can pair with us.
    const cleanupTime = relativeUpperBound > 0 ? timestamp + relativeUpperBound : timestamp;
    this.timers.registerEventTimeTimer(
      isLeft ? CLEANUP_NAMESPACE_LEFT : CLEANUP_NAMESPACE_RIGHT,
      cleanupTime,
    );
  }

  private collect(left: IN1, right: IN2, leftTimestamp: number, rightTimestamp: number): void {
    const resultTimestamp = Math.max(leftTimestamp, rightTimestamp);
    this.collector.timestamp = resultTimestamp;
    this.context.leftTimestamp = leftTimestamp;
    this.context.rightTimestamp = rightTimestamp;
    this.context.resultTimestamp = resultTimestamp;
    this.userFunction.processElement(left, right, this.context, this.collector);
  }

  private sideOutputLate<T>(value: T, timestamp: number, isLeft: boolean): void {
    const tag = (isLeft ? this.leftLateDataTag : this.rightLateDataTag) as OutputTag<T> | undefined;
    if (tag) this.emitSide(tag, value, timestamp);
  }

  onEventTime(timer: InternalTimer<K>): void {
    // The key is already set: drop the bucket whose elements this timer was registered for.
    switch (timer.namespace) {
      case CLEANUP_NAMESPACE_LEFT:
        this.leftBuffer.remove(this.upperBound <= 0 ? timer.timestamp : timer.timestamp - this.upperBound);
        break;
      case CLEANUP_NAMESPACE_RIGHT:
        this.rightBuffer.remove(this.lowerBound <= 0 ? timer.timestamp + this.lowerBound : timer.timestamp);
        break;
      default:
        throw new Error(`interval join: invalid timer namespace ${String(timer.namespace)}`);
    }
  }

  onProcessingTime(_timer: InternalTimer<K>): void {
    // Cleanup runs on event time only; no processing-time timers are ever registered.
  }
}
