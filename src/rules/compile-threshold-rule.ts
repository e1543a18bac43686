import {
  SlidingEventTimeWindows,
  type TimeWindow,
  TumblingEventTimeWindows,
  type WindowAssigner,
} from '../core/windows/index.js';
import type { CompiledCondition } from './compile-condition.js';
import { conditionErrors } from './condition-errors.js';
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
  /** `window.allowedLateness` in ms (0 without one). */
  readonly latenessMs: number;
  /** Whether the event counts (the filter; `true` without one). Never throws. */
  accepts(event: RuleEvent): boolean;
  /**
   * The value aggregated: 1 for `count`, else the field when it is a finite number, else
   * `undefined` (skipped). A field present but not a number (a string `"12.50"`, a boolean, …) is
   * also recorded as a condition error of the rule ({@link ThresholdFieldError}); a missing one is
   * not (the event does not carry the value).
   */
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
  const errors = options.errors ?? conditionErrors;
  // One error object per kind of value, reused: the recorder reads its message only.
  const fieldErrors = new Map<string, ThresholdFieldError>();
  const refuse = (v: unknown): undefined => {
    const kind = valueKind(v);
    let error = fieldErrors.get(kind);
    if (error === undefined) {
      error = new ThresholdFieldError(`field ${field} is ${kind}, not a number`);
      fieldErrors.set(kind, error);
    }
    errors.record(rule.id, error);
    return undefined;
  };
  return {
    rule,
    assigner,
    sizeMs,
    latenessMs: rule.window.allowedLateness === undefined ? 0 : parseDurationMs(rule.window.allowedLateness)!,
    accepts: filter === undefined ? () => true : (e) => filter.test(e),
    valueOf:
      rule.aggregate === 'count' || field === undefined
        ? () => 1
        : (e) => {
            const v = readFieldPath(e, field);
            if (typeof v === 'number' && Number.isFinite(v)) return v;
            return v === undefined ? undefined : refuse(v);
          },
  };
}

/**
 * The condition error a threshold rule records for an event (passing its filter) whose `field`
 * is there but is not a number: `path` is the rule's `/field`.
 *
 * @example
 * ```ts
 * new ThresholdFieldError('field amount is a string, not a number').path; // '/field'
 * ```
 */
export class ThresholdFieldError extends Error {
  override readonly name = 'ThresholdFieldError';
  readonly path = '/field';
}

/** `a string`, `a boolean`, `an object`, `a list`, `a non-finite number` (`null` reads as missing). */
function valueKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'number':
      return 'a non-finite number';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof v}`;
  }
}
