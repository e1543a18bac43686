import {
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
  type WindowAssigner,
} from '../core/windows/index.js';
import type { CompiledCondition } from './compile-condition.js';
import { readFieldPath } from './field-path.js';
import { parseDurationMs } from './parse-duration.js';
import type { ThresholdRule } from './rule.js';
import type { RuleEvent } from './rule-event.js';
import { RuleValidationError } from './rule-validation-error.js';
import { analyzeRule, type RuleOptions } from './validate-rule.js';

/**
 * A threshold rule ready to run: its window assigner (the core's event-time assigners), the
 * parsed filter, and how to read the aggregated value of an event.
 *
 * @example
 * ```ts
 * const c = compileThresholdRule(rule);
 * c.assigner.assignWindows(event, ts, ctx); // the windows the event counts in
 * ```
 */
export interface CompiledThresholdRule {
  readonly rule: ThresholdRule;
  readonly assigner: WindowAssigner<RuleEvent, TimeWindow>;
  readonly sizeMs: number;
  /** Whether the event counts (the filter; `true` without one). Never throws. */
  accepts(event: RuleEvent): boolean;
  /** The value aggregated: 1 for `count`, else the field when it is a finite number, else `undefined` (skipped). */
  valueOf(event: RuleEvent): number | undefined;
}

/**
 * Validates (definitions may come unvalidated from a topic) and compiles a threshold rule.
 * Throws {@link RuleValidationError} when invalid or not a threshold rule.
 *
 * @example
 * ```ts
 * const c = compileThresholdRule({ ...common, kind: 'threshold', aggregate: 'count',
 *   window: { type: 'tumbling', size: 'PT1M' }, compare: { op: '>=', value: 5 } });
 * ```
 */
export function compileThresholdRule(definition: unknown, options: RuleOptions = {}): CompiledThresholdRule {
  const analyzed = analyzeRule(definition, options);
  if (!analyzed.ok) throw new RuleValidationError(analyzed.errors);
  const rule = analyzed.analyzed.rule;
  if (rule.kind !== 'threshold')
    throw new RuleValidationError([{ path: '/kind', message: 'must be threshold' }]);
  const sizeMs = parseDurationMs(rule.window.size)!;
  const assigner =
    rule.window.type === 'tumbling'
      ? TumblingEventTimeWindows.of<RuleEvent>(sizeMs)
      : SlidingEventTimeWindows.of<RuleEvent>(sizeMs, parseDurationMs(rule.window.slide!)!);
  const filter: CompiledCondition | undefined = analyzed.analyzed.conditions.get('/filter');
  const field = rule.field;
  return {
    rule,
    assigner,
    sizeMs,
    accepts: filter === undefined ? () => true : (e) => filter.test(e),
    valueOf:
      rule.aggregate === 'count' || field === undefined
        ? () => 1
        : (e) => {
            const v = readFieldPath(e, field);
            return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
          },
  };
}
