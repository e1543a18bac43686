import type { Pattern } from '../cep/index.js';
import { buildPattern } from './build-pattern.js';
import type { RoutedEvent } from './routed-event.js';
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
 * with different keys, route events first and use {@link compileRoutedPatternRule}.
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

/**
 * {@link compilePatternRule} for routed events (dynamic keying): every condition sees the routed
 * event's `event`, and only events routed to this rule (same id) can start a match, since the
 * dynamic CEP operator offers every key's events to every pattern.
 *
 * @example
 * ```ts
 * DynamicCEP.patterns(routed.keyBy(routeKeyOf), updates, (rule) => compileRoutedPatternRule(rule))
 *   .process(new RoutedPatternAlerts());
 * ```
 */
export function compileRoutedPatternRule(
  definition: unknown,
  options: RuleOptions = {},
): Pattern<RoutedEvent, any> {
  const analyzed = analyzeRule(definition, options);
  if (!analyzed.ok) throw new RuleValidationError(analyzed.errors);
  const { rule, conditions } = analyzed.analyzed;
  if (rule.kind !== 'pattern') throw new RuleValidationError([{ path: '/kind', message: 'must be pattern' }]);
  const id = rule.id;
  // The id only: which version an event belongs to is the CEP operator's decision (by time).
  return buildPattern<RoutedEvent>(rule, conditions, {
    view: (r) => r.event,
    guard: (r) => r.rule.id === id,
  });
}
