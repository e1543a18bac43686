/**
 * Per-rule counters kept by the rule operators while they run: alerts emitted, late events
 * (at or behind the watermark when they reached the rule's operator), and partial matches held
 * now. In-process and cheap (a map update); the service exports them as metrics and in
 * `GET /rules/:id/stats`. Counts are of this process since it started (partial matches are
 * recounted from restored state).
 *
 * @example
 * ```ts
 * const stats = new RuleStats();
 * stats.late('card-testing');
 * stats.snapshot('card-testing'); // { alerts: 0, lateEvents: 1, partialMatches: 0 }
 * ```
 */
export class RuleStats {
  private readonly alerts = new Map<string, number>();
  private readonly lates = new Map<string, number>();
  private readonly partial = new Map<string, number>();

  /** One alert of `ruleId`. */
  alert(ruleId: string): void {
    this.alerts.set(ruleId, (this.alerts.get(ruleId) ?? 0) + 1);
  }

  /** One late event for `ruleId`. */
  late(ruleId: string): void {
    this.lates.set(ruleId, (this.lates.get(ruleId) ?? 0) + 1);
  }

  /** Partial matches of `ruleId` went up (or down, negative) by `delta`. */
  partialMatches(ruleId: string, delta: number): void {
    if (delta === 0) return;
    const n = (this.partial.get(ruleId) ?? 0) + delta;
    if (n <= 0) this.partial.delete(ruleId);
    else this.partial.set(ruleId, n);
  }

  /** Partial matches held now, per rule. */
  partialMatchCounts(): Map<string, number> {
    return new Map(this.partial);
  }

  /** Late events so far, per rule. */
  lateEventCounts(): Map<string, number> {
    return new Map(this.lates);
  }

  /** The counters of one rule. */
  snapshot(ruleId: string): { alerts: number; lateEvents: number; partialMatches: number } {
    return {
      alerts: this.alerts.get(ruleId) ?? 0,
      lateEvents: this.lates.get(ruleId) ?? 0,
      partialMatches: this.partial.get(ruleId) ?? 0,
    };
  }
}
