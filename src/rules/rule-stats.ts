/**
 * Per-rule counters kept by the rule operators while they run: alerts emitted and late events
 * (at or behind the watermark when they reached the rule's operator). In-process and cheap (a map
 * update); the service exports them as metrics and in `GET /rules/:id/stats`. Counts are of this
 * process since it started.
 *
 * @example
 * ```ts
 * const stats = new RuleStats();
 * stats.late('card-testing');
 * stats.snapshot('card-testing'); // { alerts: 0, lateEvents: 1 }
 * ```
 */
export class RuleStats {
  private readonly alerts = new Map<string, number>();
  private readonly lates = new Map<string, number>();

  /** One alert of `ruleId`. */
  alert(ruleId: string): void {
    this.alerts.set(ruleId, (this.alerts.get(ruleId) ?? 0) + 1);
  }

  /** One late event for `ruleId`. */
  late(ruleId: string): void {
    this.lates.set(ruleId, (this.lates.get(ruleId) ?? 0) + 1);
  }

  /** Late events so far, per rule. */
  lateEventCounts(): Map<string, number> {
    return new Map(this.lates);
  }

  /** The counters of one rule. */
  snapshot(ruleId: string): { alerts: number; lateEvents: number } {
    return { alerts: this.alerts.get(ruleId) ?? 0, lateEvents: this.lates.get(ruleId) ?? 0 };
  }

  /** Alerts so far, per rule. */
  alertCounts(): Map<string, number> {
    return new Map(this.alerts);
  }
}
