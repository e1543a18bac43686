import type { DedupeOptions } from '../../rules/index.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';

/**
 * `RulePipeline.route`'s `dedupe` from the configuration: events whose `id` the pipeline saw
 * within `DEDUP_WINDOW_MS` are dropped and counted in `events_deduplicated_total` (at most
 * `DEDUP_MAX_IDS` ids remembered per subtask, ids forgotten early counted in
 * `events_dedup_evicted_total`); undefined (no
 * dedup stage in the job) when `DEDUP_WINDOW_MS` is 0. Both modes place the stage before the
 * router, so the seen ids are checkpointed (embedded) or changelogged (Kafka mode, per router
 * task) with the input positions and outputs of the same checkpoint.
 *
 * @example
 * ```ts
 * RulePipeline.alerts(events, updates, { dedupe: dedupeOptionsOf(config, metrics) });
 * ```
 */
export function dedupeOptionsOf(
  config: Pick<ServiceConfig, 'dedupWindowMs' | 'dedupMaxIds'>,
  metrics: Pick<ServiceMetrics, 'eventsDeduplicated' | 'dedupEvicted'>,
): DedupeOptions | undefined {
  if (config.dedupWindowMs <= 0) return undefined;
  const counter = metrics.eventsDeduplicated;
  const evicted = metrics.dedupEvicted;
  return {
    windowMs: config.dedupWindowMs,
    maxIds: config.dedupMaxIds,
    onDuplicate: () => counter.inc(),
    onEvicted: () => evicted.inc(),
  };
}

/**
 * The uids the rules layer's operators had in the service's jobs before the dedup stage came
 * (generated from their position: the router was the 5th node of the embedded job and of a Kafka
 * router task, the evaluator the 6th of the embedded job). Pinned, so that the checkpoints of
 * earlier versions (embedded `DATA_DIR/checkpoints`, Kafka mode's router changelog) restore with
 * the dedup stage on, and so that operators added before them later do not move them.
 *
 * @example
 * ```ts
 * RulePipeline.alerts(events, updates, { uids: RULE_OPERATOR_UIDS });
 * ```
 */
export const RULE_OPERATOR_UIDS = {
  router: 'Co-Process-Broadcast-Keyed#5',
  evaluator: 'RuleGroupOperator#6',
} as const;
