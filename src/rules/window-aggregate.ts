import type { AggregateKind, CompareOp } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * The incremental state of one (rule, key, window): count, sum, min and max of the values seen,
 * so every aggregate is O(1) per event and no event list is kept; `last` is the latest event
 * (by event time) for the alert's fields and message. Plain JSON (checkpointed as is).
 *
 * @example
 * ```ts
 * let acc = addToAggregate(undefined, 3, 7, 100, event, 1000);
 * aggregateValue(acc, 'avg'); // 100
 * ```
 */
export interface WindowAggregate {
  /** The rule version that built it (an update replaces older ones). */
  readonly v: number;
  readonly start: number;
  readonly end: number;
  readonly n: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly lastTs: number;
  readonly last: RuleEvent;
}

/**
 * Adds one value to a window's aggregate (creating it when `acc` is `undefined`).
 *
 * @example
 * ```ts
 * const acc = addToAggregate(undefined, 1, 0, 60_000, { type: 'pay', ts: 5 }, 5, 12.5);
 * ```
 */
export function addToAggregate(
  acc: WindowAggregate | undefined,
  version: number,
  start: number,
  end: number,
  event: RuleEvent,
  ts: number,
  value: number,
): WindowAggregate {
  if (acc === undefined) {
    return { v: version, start, end, n: 1, sum: value, min: value, max: value, lastTs: ts, last: event };
  }
  const later = ts >= acc.lastTs;
  return {
    v: version,
    start,
    end,
    n: acc.n + 1,
    sum: acc.sum + value,
    min: Math.min(acc.min, value),
    max: Math.max(acc.max, value),
    lastTs: later ? ts : acc.lastTs,
    last: later ? event : acc.last,
  };
}

/**
 * The aggregate's value.
 *
 * @example
 * ```ts
 * aggregateValue(acc, 'count'); // acc.n
 * ```
 */
export function aggregateValue(acc: WindowAggregate, kind: AggregateKind): number {
  switch (kind) {
    case 'count':
      return acc.n;
    case 'sum':
      return acc.sum;
    case 'avg':
      return acc.sum / acc.n;
    case 'min':
      return acc.min;
    case 'max':
      return acc.max;
  }
}

/**
 * `value <op> limit`.
 *
 * @example
 * ```ts
 * compareValues(12, '>=', 10); // true
 * ```
 */
export function compareValues(value: number, op: CompareOp, limit: number): boolean {
  switch (op) {
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}
