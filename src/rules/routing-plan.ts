import { compileNFA, skipsUnmatchedEvents } from '../cep/nfa/index.js';
import { compilePatternRule } from './compile-pattern-rule.js';
import { type RuleGuard, ruleGuard } from './condition-guards.js';
import type { RuleRef } from './grouped-event.js';
import type { Rule } from './rule.js';
import { RuleIndex } from './rule-index.js';

/**
 * The rules of one grouping (the same key fields, in order) as the router sees them: their
 * references, the index that finds the ones an event could reach, and whether any is strict.
 *
 * @example
 * ```ts
 * const g = plan.groupings[0]; // { fields: ['user'], index, strict: false }
 * ```
 */
export interface GroupingPlan {
  readonly fields: readonly string[];
  /** Candidate rules of an event, by id; `undefined` when every rule takes every event (no index). */
  readonly index: RuleIndex<RuleRef>;
  /** Whether a rule of the grouping has a strict contiguity (its key must see every event). */
  readonly strict: boolean;
}

/**
 * The routing of a set of rules in force: one {@link GroupingPlan} per distinct grouping, in a
 * stable order. Built once per rule-set change, used for every event.
 *
 * @example
 * ```ts
 * const plan = RoutingPlan.of(rules, true);
 * ```
 */
export interface RoutingPlan {
  readonly groupings: readonly GroupingPlan[];
}

/** Guards are per rule version: computed once (rules are immutable once validated). */
const guards = new WeakMap<Rule, { guard: RuleGuard; strict: boolean }>();

/**
 * A rule's guard, and whether it is strict: its partial matches change with events no condition
 * takes (see `skipsUnmatchedEvents`), so its key must receive every event.
 */
function guardOf(rule: Rule): { guard: RuleGuard; strict: boolean } {
  let g = guards.get(rule);
  if (g === undefined) {
    let strict = false;
    if (rule.kind === 'pattern') {
      try {
        strict = !skipsUnmatchedEvents(compileNFA(compilePatternRule(rule)));
      } catch {
        strict = true; // the table validated it; if it does not compile here, stay on the safe side
      }
    }
    g = { guard: ruleGuard(rule).guard, strict };
    guards.set(rule, g);
  }
  return g;
}

/**
 * Builds {@link RoutingPlan}s.
 *
 * @example
 * ```ts
 * RoutingPlan.of([ruleA, ruleB], true).groupings.length; // distinct key field lists
 * ```
 */
export const RoutingPlan = {
  /**
   * The plan of `rules` (active versions in force). With `indexed` false every rule of a grouping
   * is a candidate for every event (the plain evaluation the index must equal).
   */
  of(rules: readonly Rule[], indexed: boolean): RoutingPlan {
    const byGrouping = new Map<string, Rule[]>();
    for (const rule of rules) {
      const g = JSON.stringify(rule.key);
      const list = byGrouping.get(g);
      if (list === undefined) byGrouping.set(g, [rule]);
      else list.push(rule);
    }
    const groupings: GroupingPlan[] = [];
    for (const g of [...byGrouping.keys()].sort()) {
      const list = byGrouping.get(g)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      let strict = false;
      const entries = list.map((rule) => {
        const info = guardOf(rule);
        if (info.strict) strict = true;
        return {
          rule: { id: rule.id, version: rule.version },
          guard: indexed ? info.guard : ('always' as const),
        };
      });
      groupings.push({ fields: list[0]!.key, index: RuleIndex.build(entries), strict });
    }
    return { groupings };
  },
};
