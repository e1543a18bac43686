import type { PatternDeletion, PatternUpdate, PatternUpsert } from '../cep/index.js';
import type { Rule } from './rule.js';

/**
 * A change to the rule set as it travels on the broadcast stream: the dynamic CEP operator's
 * {@link PatternUpdate} with rules as definitions: the rule operators ({@link GroupRouter},
 * {@link RuleGroupOperator}) keep it in broadcast state, and `DynamicCEP.patterns` takes it too.
 *
 * @example
 * ```ts
 * const updates: RuleUpdate[] = [ruleUpdate(rule), ruleDeletion('card-testing', 4)];
 * ```
 */
export type RuleUpdate = PatternUpdate<Rule>;

/**
 * The update that installs (or replaces, or pauses) `rule`, carrying its id, version and status.
 *
 * @example
 * ```ts
 * ruleUpdate(rule); // { id: rule.id, version: rule.version, status: rule.status, definition: rule }
 * ```
 */
export function ruleUpdate(rule: Rule): PatternUpsert<Rule> {
  return { id: rule.id, version: rule.version, status: rule.status, definition: rule };
}

/**
 * The update that deletes rule `id` (its version must be above the stored one).
 *
 * @example
 * ```ts
 * ruleDeletion('card-testing', 5); // { id: 'card-testing', version: 5, deleted: true }
 * ```
 */
export function ruleDeletion(id: string, version: number): PatternDeletion {
  return { id, version, deleted: true };
}
