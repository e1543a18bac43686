import {
  type DynamicPatternContext,
  DynamicPatternProcessFunction,
  type DynamicTimedOutPartialMatchHandler,
} from '../cep/index.js';
import type { Collector, OutputTag } from '../core/index.js';
import type { Alert } from './alert.js';
import { groupingKeyOf } from './grouping-key.js';
import { renderAlert } from './render-alert.js';
import type { PatternRule, Rule } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * Turns the matches of dynamic pattern rules over plain rule events (a stream keyed by the rules'
 * grouping key) into {@link Alert}s; `lookup` finds the rule of a match by id and version (e.g.
 * the map the service keeps of installed rules).
 *
 * @example
 * ```ts
 * const installed = new Map<string, PatternRule>();
 * DynamicCEP.patterns(events.keyBy((e) => e.user as string), updates, compilePatternRule)
 *   .process(new PatternAlerts((id, v) => installed.get(`${id}@${v}`)));
 * ```
 */
export class PatternAlerts
  extends DynamicPatternProcessFunction<RuleEvent, Alert>
  implements DynamicTimedOutPartialMatchHandler<RuleEvent>
{
  constructor(
    private readonly lookup: (id: string, version: number) => Rule | undefined,
    private readonly timedOut?: OutputTag<Alert>,
  ) {
    super();
  }

  processMatch(match: Map<string, RuleEvent[]>, ctx: DynamicPatternContext, out: Collector<Alert>): void {
    const rule = this.lookup(ctx.patternId, ctx.version);
    const first = firstOf(match);
    if (rule === undefined || first === undefined) return;
    out.collect(renderAlert(rule, match, groupingKeyOf(rule, first) ?? ''));
  }

  processTimedOutMatch(match: Map<string, RuleEvent[]>, ctx: DynamicPatternContext): void {
    const rule = this.lookup(ctx.patternId, ctx.version) as PatternRule | undefined;
    const first = firstOf(match);
    if (rule?.timeoutAlert === undefined || first === undefined || this.timedOut === undefined) return;
    ctx.output(this.timedOut, renderAlert(rule, match, groupingKeyOf(rule, first) ?? '', { timedOut: true }));
  }
}

function firstOf<T>(match: Map<string, T[]>): T | undefined {
  for (const events of match.values()) if (events.length > 0) return events[0];
  return undefined;
}
