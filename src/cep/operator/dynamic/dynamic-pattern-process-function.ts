import type { Collector } from '../../../core/api/collector.js';
import { AbstractRichFunction } from '../../../core/api/rich-function.js';
import type { PatternContext } from '../pattern-process-function.js';

/**
 * What a {@link DynamicPatternProcessFunction} knows about a match: everything a
 * `PatternContext` offers plus which pattern (id and version) produced it.
 *
 * @example
 * ```ts
 * out.collect({ rule: ctx.patternId, version: ctx.version, at: ctx.timestamp() });
 * ```
 */
export interface DynamicPatternContext extends PatternContext {
  /** Id of the pattern that matched. */
  readonly patternId: string;
  /** Version of that pattern. */
  readonly version: number;
}

/**
 * Receives the matches of every pattern of a dynamic CEP operator, as `Map<stage name, events>`.
 * The context says which pattern matched. Implement {@link DynamicTimedOutPartialMatchHandler} as
 * well to receive partial matches that ran out of `within` time.
 *
 * @example
 * ```ts
 * class ToAlert extends DynamicPatternProcessFunction<Pay, Alert> {
 *   processMatch(m: Map<string, Pay[]>, ctx: DynamicPatternContext, out: Collector<Alert>) {
 *     out.collect({ rule: ctx.patternId, card: [...m.values()][0]![0]!.card });
 *   }
 * }
 * ```
 */
export abstract class DynamicPatternProcessFunction<IN, OUT> extends AbstractRichFunction {
  abstract processMatch(match: Map<string, IN[]>, ctx: DynamicPatternContext, out: Collector<OUT>): void;
}

/**
 * Receives partial matches of a dynamic pattern whose `within` window passed (the dynamic
 * counterpart of `TimedOutPartialMatchHandler`); `ctx.timestamp()` is the end of the window.
 *
 * @example
 * ```ts
 * processTimedOutMatch(m: Map<string, Pay[]>, ctx: DynamicPatternContext) {
 *   ctx.output(timedOutTag, `${ctx.patternId} timed out at ${ctx.timestamp()}`);
 * }
 * ```
 */
export interface DynamicTimedOutPartialMatchHandler<IN> {
  processTimedOutMatch(match: Map<string, IN[]>, ctx: DynamicPatternContext): void;
}

/**
 * Whether a function also handles timed-out partial matches.
 *
 * @example
 * ```ts
 * if (isDynamicTimedOutPartialMatchHandler<Pay>(fn)) fn.processTimedOutMatch(m, ctx);
 * ```
 */
export function isDynamicTimedOutPartialMatchHandler<IN>(
  fn: unknown,
): fn is DynamicTimedOutPartialMatchHandler<IN> {
  return (
    typeof (fn as Partial<DynamicTimedOutPartialMatchHandler<IN>> | null)?.processTimedOutMatch === 'function'
  );
}
