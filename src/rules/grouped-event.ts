import type { RuleEvent } from './rule-event.js';

/**
 * A rule addressed by id and version: what a {@link GroupedEvent} carries instead of the rule
 * itself, so a routed record stays small whatever the rules hold (and across processes carries
 * no rule JSON). The evaluator resolves it in its own rule table.
 *
 * @example
 * ```ts
 * const ref: RuleRef = { id: 'card-testing', version: 3 };
 * ```
 */
export interface RuleRef {
  readonly id: string;
  readonly version: number;
}

/**
 * An event routed once per *grouping* (the set of key fields rules group by), not once per rule:
 * what {@link GroupRouter} emits and {@link RuleGroupOperator} evaluates, keyed by `key`, the
 * grouping key (`[["user","ann"]]`: field names included, so keys of different groupings never
 * collide). `refs` are the rules of that grouping in force at the event's time that could take
 * it (after the rule index), sorted by id; it may be empty when the grouping has rules with a
 * strict contiguity, which must still see every event of their key (an event no stage takes
 * breaks a strict run).
 *
 * @example
 * ```ts
 * const g: GroupedEvent = { key: '[["user","ann"]]', event, refs: [{ id: 'new-device-payout', version: 1 }] };
 * stream.keyBy(groupKeyOf);
 * ```
 */
export interface GroupedEvent {
  readonly key: string;
  readonly event: RuleEvent;
  readonly refs: readonly RuleRef[];
}

/**
 * The key to `keyBy` grouped events with.
 *
 * @example
 * ```ts
 * grouped.keyBy(groupKeyOf);
 * ```
 */
export function groupKeyOf(g: GroupedEvent): string {
  return g.key;
}

/**
 * A grouped event that reached its evaluator at or behind the watermark (late): what the late
 * output carries, with the watermark at the time, so a dead letter can say by how much.
 *
 * @example
 * ```ts
 * const late: LateGroupedEvent = { grouped, watermark: 1_767_261_600_000 };
 * ```
 */
export interface LateGroupedEvent {
  readonly grouped: GroupedEvent;
  readonly watermark: number;
}
