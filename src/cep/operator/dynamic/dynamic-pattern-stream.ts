import type { DataStream, KeyedStream } from '../../../core/api/data-stream.js';
import { SingleOutputStreamOperator } from '../../../core/api/data-stream.js';
import type { OutputTag } from '../../../core/api/output-tag.js';
import { TwoInputTransformation } from '../../../core/graph/transformation.js';
import { copyFunction } from '../../../core/runtime/operators/abstract-udf-stream-operator.js';
import type { Pattern } from '../../pattern/pattern.js';
import { DynamicCepOperator } from './dynamic-cep-operator.js';
import type { DynamicPatternProcessFunction } from './dynamic-pattern-process-function.js';
import type { PatternUpdate, RejectedPatternUpdate } from './pattern-update.js';

/**
 * Options of `DynamicCEP.patterns`.
 *
 * @example
 * ```ts
 * const options: DynamicCepOptions<Pay, RuleJson> = { rejectedUpdates: new OutputTag('rejected') };
 * ```
 */
export interface DynamicCepOptions<T, D, K = unknown> {
  /** Orders events with equal timestamps (after arrival order, kept when it returns 0). */
  readonly comparator?: (a: T, b: T) => number;
  /**
   * When each key belongs to one pattern (events routed per pattern, keyed by pattern id and
   * grouping values), the id of the key's pattern: only that pattern runs for the key, instead
   * of every active pattern. `undefined` for a key runs them all.
   */
  readonly patternOfKey?: (key: K) => string | undefined;
  /** Where refused updates go, with the reason (dropped when not set). */
  readonly rejectedUpdates?: OutputTag<RejectedPatternUpdate<D>>;
}

/**
 * A keyed stream matched against a changing set of patterns (see `DynamicCEP.patterns`); `process`
 * turns matches into records. Event time by default; `inProcessingTime()` matches in arrival order.
 *
 * @example
 * ```ts
 * const alerts = DynamicCEP.patterns(pays.keyBy((p) => p.card), ruleUpdates, compileRule)
 *   .sideOutputLateData(lateTag)
 *   .process(new ToAlert());
 * ```
 */
export class DynamicPatternStream<T, K, D> {
  private eventTime = true;
  private lateTag: OutputTag<T> | undefined;
  private rejectedTag: OutputTag<RejectedPatternUpdate<D>> | undefined;

  /** @internal use `DynamicCEP.patterns` */
  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly updates: DataStream<PatternUpdate<D>>,
    private readonly compile: (definition: D) => Pattern<T, any>,
    private readonly options: DynamicCepOptions<T, D, K>,
  ) {
    this.rejectedTag = options.rejectedUpdates;
  }

  /** Matches events in arrival order, at the processing time they arrive. */
  inProcessingTime(): this {
    this.eventTime = false;
    return this;
  }

  /** Matches events in timestamp order as the watermark passes them (the default). */
  inEventTime(): this {
    this.eventTime = true;
    return this;
  }

  /** Events at or behind the watermark go here instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /** Refused updates (malformed, or not compiling) go here, with the reason. */
  sideOutputRejectedUpdates(tag: OutputTag<RejectedPatternUpdate<D>>): this {
    this.rejectedTag = tag;
    return this;
  }

  /** Each match of any pattern to `fn` (which may also handle timed-out partial matches). */
  process<R>(fn: DynamicPatternProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    const env = this.input.getExecutionEnvironment();
    const keySelector = this.input.getKeySelector();
    const config = {
      compile: this.compile,
      keySelector,
      eventTime: this.eventTime,
      comparator: this.options.comparator,
      patternOfKey: this.options.patternOfKey,
      lateDataTag: this.lateTag,
      rejectedUpdatesTag: this.rejectedTag,
    };
    const t = new TwoInputTransformation<T, PatternUpdate<D>, R>(
      'DynamicCepOperator',
      this.input.getTransformation(),
      this.updates.broadcast().getTransformation(),
      () => new DynamicCepOperator<T, K, D, R>(copyFunction(fn), config),
      keySelector,
    );
    env.addOperator(t);
    return new SingleOutputStreamOperator(env, t);
  }
}
