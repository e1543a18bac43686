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
  const fields = rule.key;
  // Built by hand (this runs per event and grouping): the same text as JSON.stringify(pairs).
  let key = '[';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const v = readFieldPath(event, field);
    let text: string;
    if (typeof v === 'string') text = JSON.stringify(v);
    else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      text = JSON.stringify(v);
    else return undefined;
    key += `${i === 0 ? '' : ','}[${JSON.stringify(field)},${text}]`;
  }
  return `${key}]`;
}
