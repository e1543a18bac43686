import type { Collector } from '../../core/api/collector.js';
import { type DataStream, KeyedStream, type SingleOutputStreamOperator } from '../../core/api/data-stream.js';
import type { OutputTag } from '../../core/api/output-tag.js';
import { copyFunction } from '../../core/runtime/operators/abstract-udf-stream-operator.js';
import { compileNFA } from '../nfa/nfa-compiler.js';
import type { Pattern } from '../pattern/pattern.js';
import { CepOperator } from './cep-operator.js';
import {
  type PatternContext,
  PatternProcessFunction,
  type TimedOutPartialMatchHandler,
} from './pattern-process-function.js';

/**
 * A pattern applied to a stream (Flink's `PatternStream`); `process`, `select` or `flatSelect`
 * turn matches into records. Event time by default; `inProcessingTime()` matches in arrival order.
 *
 * @example
 * ```ts
 * const alerts = CEP.pattern(logins.keyBy((l) => l.user), failuresThenSuccess)
 *   .sideOutputLateData(lateTag)
 *   .process(new Alert());
 * ```
 */
export class PatternStream<T, K> {
  private eventTime = true;
  private lateTag: OutputTag<T> | undefined;

  /** @internal use `CEP.pattern` */
  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly pattern: Pattern<T, any>,
    private readonly comparator: ((a: T, b: T) => number) | undefined,
    /** A non-keyed input runs as one key on one instance, as in Flink. */
    private readonly nonKeyed = false,
  ) {}

  inProcessingTime(): this {
    this.eventTime = false;
    return this;
  }

  inEventTime(): this {
    this.eventTime = true;
    return this;
  }

  /** Events at or behind the watermark go here instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /** Each match to a {@link PatternProcessFunction} (which may also handle timeouts). */
  process<R>(fn: PatternProcessFunction<T, R>): SingleOutputStreamOperator<R> {
    const compiled = compileNFA(this.pattern);
    const { eventTime, lateTag, comparator } = this;
    const keySelector = this.input.getKeySelector();
    const op = this.input.keyedTransform<R>(
      'CepOperator',
      () =>
        new CepOperator<T, R, K>(copyFunction(fn), {
          compiled,
          keySelector,
          eventTime,
          comparator,
          lateDataTag: lateTag,
        }),
    );
    return this.nonKeyed ? op.setParallelism(1) : op;
  }

  /** One record per match. */
  select<R>(fn: (match: Map<string, T[]>) => R): SingleOutputStreamOperator<R>;
  /** One record per match; timed-out partial matches through `timeoutFn` to `timeoutTag`. */
  select<R, L>(
    timeoutTag: OutputTag<L>,
    timeoutFn: (match: Map<string, T[]>, timeoutTimestamp: number) => L,
    fn: (match: Map<string, T[]>) => R,
  ): SingleOutputStreamOperator<R>;
  select<R, L>(
    a: ((match: Map<string, T[]>) => R) | OutputTag<L>,
    timeoutFn?: (match: Map<string, T[]>, timeoutTimestamp: number) => L,
    fn?: (match: Map<string, T[]>) => R,
  ): SingleOutputStreamOperator<R> {
    if (typeof a === 'function') return this.flatSelect<R>((m, out) => out.collect(a(m)));
    return this.flatSelect<R, L>(
      a,
      (m, ts, out) => out.collect(timeoutFn!(m, ts)),
      (m, out) => out.collect(fn!(m)),
    );
  }

  /** Any number of records per match. */
  flatSelect<R>(fn: (match: Map<string, T[]>, out: Collector<R>) => void): SingleOutputStreamOperator<R>;
  /** Any number per match; timed-out partial matches through `timeoutFn` to `timeoutTag`. */
  flatSelect<R, L>(
    timeoutTag: OutputTag<L>,
    timeoutFn: (match: Map<string, T[]>, timeoutTimestamp: number, out: Collector<L>) => void,
    fn: (match: Map<string, T[]>, out: Collector<R>) => void,
  ): SingleOutputStreamOperator<R>;
  flatSelect<R, L>(
    a: ((match: Map<string, T[]>, out: Collector<R>) => void) | OutputTag<L>,
    timeoutFn?: (match: Map<string, T[]>, timeoutTimestamp: number, out: Collector<L>) => void,
    fn?: (match: Map<string, T[]>, out: Collector<R>) => void,
  ): SingleOutputStreamOperator<R> {
    if (typeof a === 'function') {
      return this.process(
        new (class extends PatternProcessFunction<T, R> {
          processMatch(m: Map<string, T[]>, _ctx: PatternContext, out: Collector<R>): void {
            a(m, out);
          }
        })(),
      );
    }
    const tag = a;
    const select = fn!;
    const timeout = timeoutFn!;
    return this.process(
      new (class extends PatternProcessFunction<T, R> implements TimedOutPartialMatchHandler<T> {
        processMatch(m: Map<string, T[]>, _ctx: PatternContext, out: Collector<R>): void {
          select(m, out);
        }
        processTimedOutMatch(m: Map<string, T[]>, ctx: PatternContext): void {
          timeout(m, ctx.timestamp(), { collect: (v: L) => ctx.output(tag, v) });
        }
      })(),
    );
  }
}

/**
 * Entry point of the CEP library (Flink's `CEP`).
 *
 * @example
 * ```ts
 * CEP.pattern(payments.keyBy((p) => p.card), Pattern.begin<Payment>('small').where(...).times(3)...)
 * ```
 */
export const CEP = {
  /** Applies a pattern to a keyed stream (or to a whole stream, as one key). */
  pattern<T, K = unknown>(
    input: KeyedStream<T, K> | DataStream<T>,
    pattern: Pattern<T, any>,
    comparator?: (a: T, b: T) => number,
  ): PatternStream<T, K> {
    if (input instanceof KeyedStream) return new PatternStream<T, K>(input, pattern, comparator);
    return new PatternStream<T, K>(
      input.keyBy(() => 0 as unknown as K),
      pattern,
      comparator,
      true,
    );
  },
};
