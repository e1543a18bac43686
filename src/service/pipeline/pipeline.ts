import { Logger } from '@nestjs/common';
import { partialMatchCounts } from '../../cep/index.js';
import type { JobClient } from '../../core/index.js';
import { type ConditionErrors, RuleStats } from '../../rules/index.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RuleStore } from '../rules/rule-store.js';
import type { PipelineStatus } from './pipeline-status.js';

/**
 * What `GET /rules/:id/stats` answers: a rule's activity in this process since it started.
 *
 * @example
 * ```ts
 * const s: RuleRuntimeStats = { ruleId: 'card-testing', health: 'ok', alerts: 3, lateEvents: 0, partialMatches: 12,
 *   droppedPartialMatches: 0, droppedAlerts: 0, conditionErrors: { count: 0, recent: [] } };
 * ```
 */
export interface RuleRuntimeStats {
  readonly ruleId: string;
  /** `degraded` while the rule dropped partial matches or alerts over its caps in the last 10 minutes. */
  readonly health: 'ok' | 'degraded';
  readonly degradedReason?: string;
  readonly degradedAt?: number;
  readonly alerts: number;
  readonly lateEvents: number;
  readonly partialMatches: number;
  readonly droppedPartialMatches: number;
  readonly droppedAlerts: number;
  readonly conditionErrors: {
    readonly count: number;
    readonly recent: readonly { readonly message: string; readonly at: number; readonly count: number }[];
  };
}

/**
 * What a savepoint request answers.
 *
 * @example
 * ```ts
 * const r: SavepointResult = { checkpointId: 12, pointer: '/data/savepoints/chk-12' };
 * ```
 */
export interface SavepointResult {
  readonly checkpointId: number;
  readonly pointer: string | undefined;
}

/** Watermarks at or above this are the rule-update stream's "beyond any event time" (8.64e15 + …). */
const BEYOND_EVENT_TIME = 8.64e15;

/**
 * The engine side of the service, as the HTTP layer sees it (health, metrics, admin): the
 * embedded job ({@link PipelineService}) or Kafka mode's partition tasks
 * ({@link KafkaPipelineService}). An abstract class so that it is its own injection token.
 *
 * @example
 * ```ts
 * constructor(private readonly pipeline: Pipeline) {}
 * pipeline.status().state; // 'running'
 * ```
 */
export abstract class Pipeline {
  /** Run-time condition failures, per rule. */
  abstract readonly conditionErrors: ConditionErrors;
  /** The state for health checks. */
  abstract status(): PipelineStatus;
  /** Takes a savepoint (throws when the mode or the state does not allow one). */
  abstract savepoint(): Promise<SavepointResult>;

  /** The engine jobs running in this process (none before the start). */
  protected abstract runningJobs(): Iterable<JobClient>;

  /** Condition failures already added to `cep_condition_errors_total`, per rule. */
  private readonly reportedConditionErrors = new Map<string, number>();
  /** Late events and drops already added to their counters, per rule (and kind). */
  private readonly reported = new Map<string, number>();
  private partialMatchCache: { counts: Map<string, number>; validUntil: number } | undefined;

  /** Per-rule counters of the running evaluators: alerts, late events, drops over caps. */
  readonly ruleStats = new RuleStats();

  constructor() {
    const logger = new Logger('Rules');
    this.ruleStats.onDegraded = (ruleId, reason) =>
      logger.warn(
        `rule ${ruleId} is degraded: ${reason}; the excess is dropped (see GET /rules/${ruleId}/stats; raise its limits if this is expected)`,
      );
  }

  /**
   * What one rule did in this process: alerts, late events, partial matches held now, condition
   * errors with the latest messages, drops over its caps and whether it is degraded (for
   * `GET /rules/:id/stats`). Walks the keyed state for the partial matches: on demand only.
   *
   * @example
   * ```ts
   * pipeline.statsOf('card-testing').health; // 'ok'
   * ```
   */
  statsOf(ruleId: string): RuleRuntimeStats {
    const s = this.ruleStats.snapshot(ruleId);
    const degraded = this.ruleStats.degraded(ruleId);
    return {
      ruleId,
      health: degraded === undefined ? 'ok' : 'degraded',
      ...(degraded === undefined ? {} : { degradedReason: degraded.reason, degradedAt: degraded.at }),
      alerts: s.alerts,
      lateEvents: s.lateEvents,
      partialMatches: this.partialMatches().get(ruleId) ?? 0,
      droppedPartialMatches: s.droppedPartialMatches,
      droppedAlerts: s.droppedAlerts,
      conditionErrors: {
        count: this.conditionErrors.count(ruleId),
        recent: this.conditionErrors.recent(ruleId),
      },
    };
  }

  /**
   * Partial matches per rule. Counting walks every key's state and blocks the event loop while it
   * runs (hundreds of ms over a few hundred thousand keys), so a count is reused for 50 times as
   * long as it took: at most 2% of the time goes to it, and small states are counted afresh.
   */
  private partialMatches(jobs: Iterable<JobClient> = this.runningJobs()): Map<string, number> {
    const now = performance.now();
    const cached = this.partialMatchCache;
    if (cached !== undefined && now < cached.validUntil) return cached.counts;
    const counts = partialMatchCounts(jobs);
    const took = performance.now() - now;
    this.partialMatchCache = { counts, validUntil: now + took * 51 };
    return counts;
  }

  /** Adds what grew since the last scrape to a counter (counts only grow while this object lives). */
  private addDelta(key: string, now: number, add: (n: number) => void): void {
    const before = this.reported.get(key) ?? 0;
    if (now > before) add(now - before);
    this.reported.set(key, now);
  }

  /**
   * The event-time watermark of the engine (epoch ms): the lowest finite watermark of the running
   * jobs' operators (Kafka mode: over this replica's evaluator tasks), ignoring the rule-update
   * stream's "beyond any event time" watermark; undefined before the first event. Read-only: it
   * looks at the operators' current watermarks and changes nothing.
   *
   * @example
   * ```ts
   * pipeline.watermark(); // 1767261599000
   * ```
   */
  watermark(): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    for (const job of this.runningJobs()) {
      for (const op of job.getRunningOperators()) {
        const wm = (op as { getCurrentWatermark?: () => number }).getCurrentWatermark?.();
        if (wm === undefined || !Number.isFinite(wm) || wm >= BEYOND_EVENT_TIME) continue;
        if (wm < min) min = wm;
      }
    }
    return min === Number.POSITIVE_INFINITY ? undefined : min;
  }

  /**
   * The per-rule metrics both modes report at scrape time: partial matches held by the dynamic
   * CEP operators of `jobs`, run-time condition failures of the rules in `store` (added to the
   * counter), and the watermark gauges.
   */
  protected collectRuleMetrics(metrics: ServiceMetrics, store: RuleStore, jobs: Iterable<JobClient>): void {
    metrics.partialMatches.reset();
    for (const [rule, n] of this.partialMatches(jobs)) metrics.partialMatches.set({ rule }, n);
    for (const id of store.snapshot().keys()) {
      const n = this.conditionErrors.count(id);
      const reported = this.reportedConditionErrors.get(id) ?? 0;
      // The counts only grow while the pipeline object lives; a lower one starts over.
      const added = n >= reported ? n - reported : n;
      if (added > 0) metrics.conditionErrors.inc({ rule: id }, added);
      this.reportedConditionErrors.set(id, n);
    }
    for (const [rule, n] of this.ruleStats.lateEventCounts())
      this.addDelta(`late|${rule}`, n, (d) => metrics.lateEvents.inc({ rule }, d));
    metrics.ruleDegraded.reset();
    for (const [rule, d] of this.ruleStats.droppedCounts()) {
      this.addDelta(`pm|${rule}`, d.partialMatches, (x) =>
        metrics.droppedOverCap.inc({ rule, kind: 'partial_matches' }, x),
      );
      this.addDelta(`al|${rule}`, d.alerts, (x) => metrics.droppedOverCap.inc({ rule, kind: 'alerts' }, x));
      metrics.ruleDegraded.set({ rule }, this.ruleStats.degraded(rule) === undefined ? 0 : 1);
    }
    const wm = this.watermark();
    if (wm === undefined) {
      // No event time yet: 0 for both (a watermark of 0 means "none yet").
      metrics.watermark.set(0);
      metrics.watermarkLag.set(0);
    } else {
      metrics.watermark.set(wm / 1000);
      metrics.watermarkLag.set((Date.now() - wm) / 1000);
    }
  }
}
