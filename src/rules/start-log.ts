import { conditionRequirementsOf, type FieldRequirement } from './condition-guards.js';
import { parseDurationMs } from './parse-duration.js';
import { isGroupSpec, type PatternRule } from './rule.js';
import type { RuleEvent } from './rule-event.js';

/**
 * Deferred starts (docs/rules-at-scale.md, "Deferred starts"): risk rules often open alike (200 of
 * 1,000 rules on a new-device login), and each such event used to open one partial match per
 * rule and key, most of which time out unused. For a rule that qualifies, a key keeps the start
 * events once, in a {@link StartLog} per first-stage condition, and a rule builds its own NFA
 * state from the log only when an event its second stage could take arrives (or its partial-match
 * cap is reached). Built by replaying the logged starts through the rule's NFA, that state is the
 * one eager evaluation would hold, so alerts, timeouts, caps and snapshots stay exactly the same.
 *
 * A rule qualifies ({@link deferSpecOf}) when a start alone can change nothing visible: relaxed
 * contiguity throughout (`followedBy`, `followedByAny`), no negation, no group, a single-event
 * first stage with a condition the guards understand, a second stage that must take an event,
 * a `within` (so the log is bounded in time) and no `timeoutAlert`.
 */
export interface DeferSpec {
  /** The first stage's condition: rules with the same one share a log. */
  readonly source: string;
  /**
   * How long a start matters: `within`, or the second stage's `withinPrevious` when shorter
   * (a partial match waiting for that stage times out then).
   */
  readonly life: number;
  /** What an event needs for the second stage to take it (`undefined`: any event may). */
  readonly next: readonly FieldRequirement[] | undefined;
}

/**
 * The start events of one key that rules sharing a first-stage condition have not taken into
 * their own state, in processing order. Entries are numbered from `b` on; pruned from the front
 * once no rule can use them.
 */
export interface StartLog {
  /** The number of the first entry. */
  b: number;
  readonly ts: number[];
  readonly ev: RuleEvent[];
  /** How long entries matter: the longest `life` of the rules that logged here. */
  keep: number;
  /**
   * Per rule id, the first entry the rule may still build on: its partial matches ended (or a
   * rule update dropped them) after the entries before it. No entry: all of them.
   */
  m: Map<string, number> | undefined;
}

/**
 * Whether `rule` may defer its starts, and how; `undefined` when it may not.
 *
 * @example
 * ```ts
 * deferSpecOf(newDevicePayout, false)?.source; // 'e.type == "login" && e.newDevice'
 * ```
 */
export function deferSpecOf(rule: PatternRule, strict: boolean): DeferSpec | undefined {
  if (strict || rule.timeoutAlert !== undefined || rule.within === undefined) return undefined;
  const within = parseDurationMs(rule.within);
  if (within === undefined || !(within > 0)) return undefined;
  const stages = rule.stages;
  if (stages.length < 2) return undefined;
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!;
    if (isGroupSpec(s)) return undefined;
    const c = s.contiguity;
    if (i > 0 && c !== undefined && c !== 'followedBy' && c !== 'followedByAny') return undefined;
  }
  const first = stages[0]!;
  const second = stages[1]!;
  if (isGroupSpec(first) || isGroupSpec(second)) return undefined;
  if (first.condition === undefined || first.optional === true || first.until !== undefined) return undefined;
  if (first.quantifier !== undefined && first.quantifier.type !== 'one') return undefined;
  if (second.optional === true) return undefined;
  if (
    second.quantifier !== undefined &&
    second.quantifier.type !== 'one' &&
    (second.quantifier.from ?? 1) < 1
  )
    return undefined;
  if (conditionRequirementsOf(first.condition).length === 0) return undefined;
  let life = within;
  if (second.withinPrevious !== undefined) {
    const wp = parseDurationMs(second.withinPrevious);
    if (wp !== undefined && wp < life) life = wp;
  }
  const reqs = second.condition === undefined ? [] : conditionRequirementsOf(second.condition);
  return { source: first.condition, life, next: reqs.length === 0 ? undefined : reqs };
}

/** The number after the last entry. @example `endOf(log) // log.b + log.ts.length` */
export function endOf(log: StartLog): number {
  return log.b + log.ts.length;
}

/** The first entry rule `id` may build on. @example `fromOf(log, 'r1')` */
export function fromOf(log: StartLog, id: string): number {
  const m = log.m?.get(id);
  return m === undefined || m < log.b ? log.b : m;
}

/**
 * Drops the entries no rule can use at `time` (every rule's partial match from them has timed
 * out: `time >= ts + life`), and the marks before the first entry left. Returns whether entries
 * remain.
 *
 * @example
 * ```ts
 * if (!pruneLog(log, watermark)) logs.delete(source);
 * ```
 */
export function pruneLog(log: StartLog, time: number): boolean {
  const { ts, ev } = log;
  let n = 0;
  while (n < ts.length && ts[n]! + log.keep <= time) n++;
  if (n > 0) {
    ts.splice(0, n);
    ev.splice(0, n);
    log.b += n;
    if (log.m !== undefined) {
      for (const [id, from] of log.m) if (from <= log.b) log.m.delete(id);
      if (log.m.size === 0) log.m = undefined;
    }
  }
  return ts.length > 0;
}

/** When {@link pruneLog} next drops something, or `undefined` for an empty log. @example `dueOf(log)` */
export function dueOf(log: StartLog): number | undefined {
  return log.ts.length === 0 ? undefined : log.ts[0]! + log.keep;
}
