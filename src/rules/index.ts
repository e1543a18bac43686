/**
 * The rules layer (DESIGN §6): JSON rules validated against `rules/schema.json`, CEL conditions,
 * pattern rules compiled to CEP patterns, threshold rules evaluated over the core's event-time
 * windows, dynamic keying, and alert rendering. Imports `src/cep` and `src/core`, never the
 * service.
 *
 * @example
 * ```ts
 * import { RulePipeline, ruleUpdate, validateRule } from './rules/index.js';
 * const v = validateRule(json);
 * if (v.ok) updates.push(ruleUpdate(v.rule));
 * ```
 *
 * @packageDocumentation
 */

export * from './alert.js';
export * from './cel-environment.js';
export * from './compile-condition.js';
export * from './compile-pattern-rule.js';
export * from './compile-threshold-rule.js';
export * from './condition-errors.js';
export * from './condition-guards.js';
export * from './event-deduplicator.js';
export * from './field-path.js';
export * from './group-router.js';
export * from './grouped-event.js';
export * from './grouping-key.js';
export * from './json-depth.js';
export * from './parse-duration.js';
export * from './pattern-alerts.js';
export { type RenderOptions, renderAlert, renderThresholdAlert } from './render-alert.js';
export * from './routing-plan.js';
export * from './rule.js';
export * from './rule-event.js';
export * from './rule-group-operator.js';
export * from './rule-index.js';
export * from './rule-limits.js';
export * from './rule-pipeline.js';
export * from './rule-schema.js';
export * from './rule-stats.js';
export * from './rule-table.js';
export * from './rule-update.js';
export * from './rule-validation-error.js';
export {
  analyzeRule,
  parseRuleJson,
  type RuleOptions,
  type RuleValidation,
  validateRule,
} from './validate-rule.js';
export * from './window-aggregate.js';
