import type { Collector } from '../../core/api/collector.js';
import type { OutputTag } from '../../core/api/output-tag.js';
import { AbstractRichFunction } from '../../core/api/rich-function.js';

/** What a pattern process function knows about the match it gets. */
export interface PatternContext {
  /** Timestamp of the match: the event that completed it, or the time a partial match timed out. */
  timestamp(): number;
  currentProcessingTime(): number;
  /** Emits to a side output (timed-out partial matches usually go there). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Receives every match of a pattern as `Map<stage name, events>` (Flink's
 * `PatternProcessFunction`). Implement {@link TimedOutPartialMatchHandler} as well to receive
 * partial matches that ran out of `within` time.
 *
 * @example
 * ```ts
 * class Alert extends PatternProcessFunction<Login, string> {
 *   processMatch(m: Map<string, Login[]>, ctx: PatternContext, out: Collector<string>) {
 *     out.collect(`${m.get('fail')!.length} failures then success for ${m.get('ok')![0]!.user}`);
 *   }
 * }
 * ```
 */
export abstract class PatternProcessFunction<IN, OUT> extends AbstractRichFunction {
  abstract processMatch(match: Map<string, IN[]>, ctx: PatternContext, out: Collector<OUT>): void;
}

/** Receives partial matches whose `within` window passed (Flink's `TimedOutPartialMatchHandler`). */
export interface TimedOutPartialMatchHandler<IN> {
  processTimedOutMatch(match: Map<string, IN[]>, ctx: PatternContext): void;
}

/** Whether a function also handles timed-out partial matches. */
export function isTimedOutPartialMatchHandler<IN>(fn: unknown): fn is TimedOutPartialMatchHandler<IN> {
  return typeof (fn as Partial<TimedOutPartialMatchHandler<IN>> | null)?.processTimedOutMatch === 'function';
}
