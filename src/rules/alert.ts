import type { Severity } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * An alert as written to the alerts topic (plain JSON).
 *
 * - `alertId` is deterministic: a hash of the rule id, version, key, kind and the matched events'
 *   ids and timestamps (threshold alerts: the window), so a replay after a crash produces the same
 *   id and downstream systems can deduplicate.
 * - `kind`: `match` (a pattern matched), `timeout` (a partial match ran out of `within` time and
 *   the rule has a `timeoutAlert`), `threshold` (a window's aggregate passed the limit).
 * - `stages`: the matched events by stage (empty for threshold alerts, which keep no events).
 * - `eventTimeStart`/`eventTimeEnd`: the earliest and latest event time of the match (threshold:
 *   the window's start and end, end exclusive).
 *
 * @example
 * ```ts
 * const a: Alert = { alertId: '9f…', kind: 'match', ruleId: 'brute-force', version: 1, key: '[["user","ann"]]',
 *   severity: 'high', message: '...', stages: { fail: [...], ok: [...] }, fields: { ip: '10.0.0.1' },
 *   eventTimeStart: 1000, eventTimeEnd: 61000 };
 * ```
 */
export interface Alert {
  readonly alertId: string;
  readonly kind: 'match' | 'timeout' | 'threshold';
  readonly ruleId: string;
  readonly version: number;
  readonly key: string;
  readonly severity: Severity;
  readonly message: string;
  readonly stages: Readonly<Record<string, readonly RuleEvent[]>>;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly eventTimeStart: number;
  readonly eventTimeEnd: number;
  /** Threshold alerts: the aggregate's value and the number of events counted. */
  readonly value?: number;
  readonly count?: number;
}
