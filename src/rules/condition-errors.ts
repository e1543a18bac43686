/**
 * Counts condition evaluations that failed at run time (a missing field, a type mismatch, a
 * non-bool result). Such a condition counts as `false`: an error must never throw into the NFA or
 * the window operator (a throwing condition would fail the task and replay the same event
 * forever). The counts, per rule id, are what the service exports as a metric.
 *
 * @example
 * ```ts
 * const errors = new ConditionErrors();
 * errors.record('card-testing', err);
 * errors.count('card-testing'); // 1
 * ```
 */
export class ConditionErrors {
  private readonly counts = new Map<string, number>();
  private last: { ruleId: string; message: string } | undefined;
  /** The latest distinct messages per rule (at most {@link ConditionErrors.RECENT}), newest last. */
  private readonly recentByRule = new Map<string, { message: string; at: number; count: number }[]>();

  /** How many distinct recent messages are kept per rule. */
  static readonly RECENT = 5;

  /** Records one failed evaluation of a condition of `ruleId`. @example `errors.record('r', new Error('No such key: amount'))` */
  record(ruleId: string, error: unknown): void {
    this.counts.set(ruleId, (this.counts.get(ruleId) ?? 0) + 1);
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    this.last = { ruleId, message };
    let recent = this.recentByRule.get(ruleId);
    if (recent === undefined) {
      recent = [];
      this.recentByRule.set(ruleId, recent);
    }
    const i = recent.findIndex((r) => r.message === message);
    const entry = i >= 0 ? recent.splice(i, 1)[0]! : { message, at: 0, count: 0 };
    entry.at = Date.now();
    entry.count++;
    recent.push(entry);
    if (recent.length > ConditionErrors.RECENT) recent.shift();
  }

  /**
   * The latest distinct failure messages of `ruleId`, newest first, with when each was last seen
   * and how often. @example `errors.recent('r') // [{ message: 'No such key: amount', at: 1767261600000, count: 3 }]`
   */
  recent(ruleId: string): { message: string; at: number; count: number }[] {
    return (this.recentByRule.get(ruleId) ?? []).map((r) => ({ ...r })).reverse();
  }

  /** Failed evaluations of `ruleId` so far. @example `errors.count('r') // 0` */
  count(ruleId: string): number {
    return this.counts.get(ruleId) ?? 0;
  }

  /** Failed evaluations over all rules. @example `errors.total()` */
  total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** The most recent failure (first line of its message), for logs. @example `errors.lastError()?.message` */
  lastError(): { ruleId: string; message: string } | undefined {
    return this.last;
  }

  /** Forgets everything. @example `errors.reset()` */
  reset(): void {
    this.counts.clear();
    this.recentByRule.clear();
    this.last = undefined;
  }
}

/**
 * The process-wide counter used when a compile function is not given its own.
 *
 * @example
 * ```ts
 * conditionErrors.count('impossible-travel');
 * ```
 */
export const conditionErrors = new ConditionErrors();
