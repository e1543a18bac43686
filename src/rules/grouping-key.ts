import { readFieldPath } from './field-path.js';
import type { Rule } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * The grouping key of an event for a rule (dynamic keying: each rule says which fields identify
 * the entity it follows). A stable string: the JSON of `[field, value]` pairs in the rule's key
 * order, so `user=ann` under a `['user']` rule and `card=ann` under `['card']` never collide,
 * and values keep their JSON type (`1` and `"1"` differ). `undefined` when a key field is
 * missing, `null`, or not a string, number or boolean: such events are skipped by that rule.
 *
 * @example
 * ```ts
 * groupingKeyOf({ key: ['user'] } as Rule, { type: 'login', user: 'ann' }); // '[["user","ann"]]'
 * groupingKeyOf({ key: ['user'] } as Rule, { type: 'login' });              // undefined
 * ```
 */
export function groupingKeyOf(rule: Pick<Rule, 'key'>, event: RuleEvent): string | undefined {
  const pairs: [string, unknown][] = [];
  for (const field of rule.key) {
    const v = readFieldPath(event, field);
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      return undefined;
    }
    pairs.push([field, v]);
  }
  return JSON.stringify(pairs);
}
