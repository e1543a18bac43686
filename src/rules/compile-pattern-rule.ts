import type { Pattern } from '../cep/index.js';
import type { RuleEvent } from './rule-event.js';
import { RuleValidationError } from './rule-validation-error.js';
import { analyzeRule, type RuleOptions } from './validate-rule.js';

/**
 * Compiles a pattern rule into a CEP `Pattern` over rule events: each stage becomes a stage of
 * the Pattern API (contiguity, quantifier, optional, greedy, inner contiguity, `until`, a
 * `PREVIOUS_AND_CURRENT` window), groups become group patterns, `within` and `skip` apply to the
 * whole pattern. CEL conditions are parsed once here. The definition is validated first (it may
 * come unvalidated from a topic): an invalid one throws {@link RuleValidationError}, which makes
 * it a rejected update in `DynamicCEP.patterns`, whose `compile` function this is. Use it on a
 * stream keyed by the rule's grouping key (`keyBy((e) => groupingKeyOf(rule, e))`); for many rules
 * with different keys, use `RulePipeline`.
 *
 * @example
 * ```ts
 * const alerts = DynamicCEP.patterns(events.keyBy((e) => e.user as string), updates, (rule) =>
 *   compilePatternRule(rule)).process(new PatternAlerts(lookup));
 * ```
 */
export function compilePatternRule(definition: unknown, options: RuleOptions = {}): Pattern<RuleEvent, any> {
  const analyzed = analyzeRule(definition, options);
  if (!analyzed.ok) throw new RuleValidationError(analyzed.errors);
  const pattern = analyzed.analyzed.pattern;
  if (pattern === undefined) throw new RuleValidationError([{ path: '/kind', message: 'must be pattern' }]);
  return pattern;
}
