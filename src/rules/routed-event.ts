import type { Rule } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * An event routed to one rule under that rule's grouping key (dynamic keying): what
 * {@link RuleRouter} emits, one per (event, active rule whose key fields the event has). Keyed by
 * {@link routeKeyOf}, each key holds one rule's events for one entity. The rule travels with the
 * event (a reference inside a process; the rule's JSON across an exchange), so the operators
 * downstream need no lookup that could race with the rule's broadcast.
 *
 * @example
 * ```ts
 * const r: RoutedEvent = { rule, key: '[["user","ann"]]', event };
 * ```
 */
export interface RoutedEvent {
  readonly rule: Rule;
  readonly key: string;
  readonly event: RuleEvent;
}

/**
 * The key to `keyBy` routed events with: rule id and grouping key (a slug has no `|`, so it is
 * unambiguous).
 *
 * @example
 * ```ts
 * routed.keyBy(routeKeyOf);
 * routeKeyOf({ rule, key: '[["user","ann"]]', event }); // 'brute-force|[["user","ann"]]'
 * ```
 */
export function routeKeyOf(r: RoutedEvent): string {
  return `${r.rule.id}|${r.key}`;
}

/**
 * The rule id of a {@link routeKeyOf} key (rule ids are slugs, without `|`): the dynamic CEP
 * operator runs only that rule's pattern for the key.
 *
 * @example
 * ```ts
 * ruleIdOfRouteKey('card-testing|[["card","4111"]]'); // 'card-testing'
 * ```
 */
export function ruleIdOfRouteKey(key: string): string {
  const bar = key.indexOf('|');
  return bar < 0 ? key : key.slice(0, bar);
}
