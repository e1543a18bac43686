import { partialMatchCounts } from '../../cep/index.js';
import type { JobClient } from '../../core/index.js';
import type { ConditionErrors } from '../../rules/index.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RuleStore } from '../rules/rule-store.js';
import type { PipelineStatus } from './pipeline-status.js';

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

  /**
   * The per-rule gauges both modes report at scrape time: partial matches held by the dynamic
   * CEP operators of `jobs`, and run-time condition failures of the rules in `store`.
   */
  protected collectRuleMetrics(metrics: ServiceMetrics, store: RuleStore, jobs: Iterable<JobClient>): void {
    metrics.partialMatches.reset();
    for (const [rule, n] of partialMatchCounts(jobs)) metrics.partialMatches.set({ rule }, n);
    metrics.conditionErrors.reset();
    for (const id of store.snapshot().keys()) {
      const n = this.conditionErrors.count(id);
      if (n > 0) metrics.conditionErrors.set({ rule: id }, n);
    }
  }
}
