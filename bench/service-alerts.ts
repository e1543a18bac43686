/**
 * Alert accounting of the service benchmark: every alert read from `GET /alerts/stream` is
 * matched against the workload's plan (`EventGenerator.plan`), so a run reports seen vs expected
 * per rule template, and names the (rule, key) pairs that are missing, duplicated or unplanned.
 */
import type { BenchRule } from './service-rules.js';
import { alertId, type PlannedAlert } from './service-workload.js';

/** The fields of an alert the benchmark reads. */
export interface StreamedAlert {
  readonly ruleId: string;
  readonly key: string;
  readonly kind: string;
  readonly eventTimeStart: number;
  readonly eventTimeEnd: number;
}

/** Seen vs expected for one template. */
export interface KindCount {
  readonly template: string;
  readonly kind: BenchRule['kind'];
  readonly seen: number;
  readonly expected: number;
}

/** What a run's alerts came to. */
export interface AlertReport {
  readonly seen: number;
  readonly expected: number;
  readonly byTemplate: KindCount[];
  /** Planted (rule, key) pairs with fewer alerts than planned, with how many arrived. */
  readonly missing: { id: string; template: string; seen: number; expected: number }[];
  /** Alerts beyond a pair's plan (duplicates) and alerts for pairs never planted. */
  readonly extra: { id: string; kind: string; eventTimeEnd: number }[];
}

/**
 * Counts alerts as they arrive. Probe and latency-marker alerts (keys `probe-…` and `mu-…`) are
 * kept apart with the time they were read; every other alert counts against the plan.
 *
 * @example
 * ```ts
 * const tally = new AlertTally(gen.plan);
 * const stream = await openAlertStream(url, (a, at) => tally.add(a, at));
 * tally.plannedSeen === gen.expected; // every planted alert arrived
 * ```
 */
export class AlertTally {
  /** Alerts in the plan's budget (at most the planned count per pair). */
  plannedSeen = 0;
  /** When the last of them was read (performance.now()). */
  lastPlannedAt = 0;
  /** Probe and marker alerts by {@link alertId}: when they were read. */
  readonly probes = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly extra: AlertReport['extra'] = [];

  constructor(private readonly plan: ReadonlyMap<string, PlannedAlert>) {}

  /** Takes one alert from the stream, read at `at`. */
  add(alert: StreamedAlert, at: number): void {
    const id = alertId(alert.ruleId, alert.key);
    if (alert.key.includes('"probe-') || alert.key.includes('"mu-')) {
      if (this.probes.has(id)) this.extra.push({ id, kind: alert.kind, eventTimeEnd: alert.eventTimeEnd });
      else this.probes.set(id, at);
      return;
    }
    const n = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, n);
    const planned = this.plan.get(id);
    if (planned !== undefined && n <= planned.alerts) {
      this.plannedSeen++;
      this.lastPlannedAt = at;
    } else {
      this.extra.push({ id, kind: alert.kind, eventTimeEnd: alert.eventTimeEnd });
    }
  }

  /** Seen vs expected, per template and in all, with the pairs that went wrong. */
  report(): AlertReport {
    const byTemplate = new Map<string, { kind: BenchRule['kind']; seen: number; expected: number }>();
    const missing: AlertReport['missing'] = [];
    let expected = 0;
    for (const [id, p] of this.plan) {
      const seen = Math.min(this.counts.get(id) ?? 0, p.alerts);
      const t = byTemplate.get(p.rule.template) ?? { kind: p.rule.kind, seen: 0, expected: 0 };
      t.seen += seen;
      t.expected += p.alerts;
      byTemplate.set(p.rule.template, t);
      expected += p.alerts;
      if (seen < p.alerts) missing.push({ id, template: p.rule.template, seen, expected: p.alerts });
    }
    return {
      seen: this.plannedSeen,
      expected,
      byTemplate: [...byTemplate]
        .map(([template, t]) => ({ template, ...t }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.template.localeCompare(b.template)),
      missing,
      extra: [...this.extra],
    };
  }
}

/** `pattern 70/70 (seq2 20/20, loop 15/15), threshold 30/30 (...)`: one line per run. */
export function formatByKind(report: AlertReport): string {
  const parts: string[] = [];
  for (const kind of ['pattern', 'threshold'] as const) {
    const ts = report.byTemplate.filter((t) => t.kind === kind);
    if (ts.length === 0) continue;
    const seen = ts.reduce((s, t) => s + t.seen, 0);
    const expected = ts.reduce((s, t) => s + t.expected, 0);
    parts.push(
      `${kind} ${seen}/${expected} (${ts.map((t) => `${t.template} ${t.seen}/${t.expected}`).join(', ')})`,
    );
  }
  return parts.join('; ');
}
