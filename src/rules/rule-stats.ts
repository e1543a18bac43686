/**
 * Per-rule counters kept by the rule operators while they run: alerts emitted, late events (at or
 * behind the watermark when they reached the rule's operator), and what was dropped over the
 * rule's caps (partial matches, alerts), which makes the rule degraded for a while. In-process and cheap (a map
 * update); the service exports them as metrics and in `GET /rules/:id/stats`. Counts are of this
 * process since it started.
 *
 * @example
 * ```ts
 * const stats = new RuleStats();
 * stats.late('card-testing');
 * stats.snapshot('card-testing'); // { alerts: 0, lateEvents: 1, droppedPartialMatches: 0, droppedAlerts: 0 }
 * ```
 */
export class RuleStats {
  private readonly alerts = new Map<string, number>();
  private readonly lates = new Map<string, number>();
  private readonly drops = new Map<
    string,
    { partialMatches: number; alerts: number; reason: string; at: number }
  >();

  /** One alert of `ruleId`. */
  alert(ruleId: string): void {
    this.alerts.set(ruleId, (this.alerts.get(ruleId) ?? 0) + 1);
  }

  /** One late event for `ruleId`. */
  late(ruleId: string): void {
    this.lates.set(ruleId, (this.lates.get(ruleId) ?? 0) + 1);
  }

  /**
   * `n` partial matches or alerts of `ruleId` dropped over a cap, with the reason; `at` (wall clock)
   * makes the rule degraded for {@link RuleStats.DEGRADED_FOR_MS}.
   */
  dropped(
    ruleId: string,
    what: 'partialMatches' | 'alerts',
    n: number,
    reason: string,
    at = Date.now(),
  ): void {
    let d = this.drops.get(ruleId);
    const wasDegraded = d !== undefined && at - d.at < RuleStats.DEGRADED_FOR_MS;
    if (d === undefined) {
      d = { partialMatches: 0, alerts: 0, reason, at };
      this.drops.set(ruleId, d);
    }
    d[what] += n;
    d.reason = reason;
    d.at = at;
    if (!wasDegraded) this.onDegraded?.(ruleId, reason);
  }

  /**
   * Called when a rule becomes degraded (its first drop, or the first after 10 quiet minutes):
   * where the service logs it. Keep it cheap; it runs on the task.
   */
  onDegraded: ((ruleId: string, reason: string) => void) | undefined;

  /** How long a rule stays degraded after its last drop. */
  static readonly DEGRADED_FOR_MS = 10 * 60_000;

  /** Whether `ruleId` dropped anything over a cap lately, and why. */
  degraded(ruleId: string, now = Date.now()): { reason: string; at: number } | undefined {
    const d = this.drops.get(ruleId);
    return d !== undefined && now - d.at < RuleStats.DEGRADED_FOR_MS
      ? { reason: d.reason, at: d.at }
      : undefined;
  }

  /** Late events so far, per rule. */
  lateEventCounts(): Map<string, number> {
    return new Map(this.lates);
  }

  /** The counters of one rule. */
  snapshot(ruleId: string): {
    alerts: number;
    lateEvents: number;
    droppedPartialMatches: number;
    droppedAlerts: number;
  } {
    const d = this.drops.get(ruleId);
    return {
      alerts: this.alerts.get(ruleId) ?? 0,
      lateEvents: this.lates.get(ruleId) ?? 0,
      droppedPartialMatches: d?.partialMatches ?? 0,
      droppedAlerts: d?.alerts ?? 0,
    };
  }

  /** Dropped-over-cap counts so far, per rule. */
  droppedCounts(): Map<string, { partialMatches: number; alerts: number }> {
    const out = new Map<string, { partialMatches: number; alerts: number }>();
    for (const [id, d] of this.drops) out.set(id, { partialMatches: d.partialMatches, alerts: d.alerts });
    return out;
  }

  /** Alerts so far, per rule. */
  alertCounts(): Map<string, number> {
    return new Map(this.alerts);
  }
}
