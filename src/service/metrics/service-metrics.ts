import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, in a registry of its own (so several apps in one process, as
 * in tests, do not clash). Values that live elsewhere (`rules_active`, `cep_condition_errors_total`,
 * the watermark) are filled at scrape time through {@link ServiceMetrics.onCollect}.
 *
 * @example
 * ```ts
 * metrics.eventsIn.inc(10);
 * metrics.alertsOut.inc({ rule: 'card-testing' });
 * await metrics.registry.metrics(); // exposition text
 * ```
 */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly collectors: (() => void)[] = [];

  /** Events accepted by the ingest (valid ones). */
  readonly eventsIn = new Counter({
    name: 'events_in_total',
    help: 'Events accepted by the ingest',
    registers: [this.registry],
  });
  /**
   * Events the pipeline dropped because their `id` was seen within `DEDUP_WINDOW_MS` (counted
   * again when replayed after a crash: an upper bound).
   */
  readonly eventsDeduplicated = new Counter({
    name: 'events_deduplicated_total',
    help: 'Events dropped as duplicates of an id seen within DEDUP_WINDOW_MS',
    registers: [this.registry],
  });
  /**
   * Ids the dedup stage forgot before their window ended, because it remembered `DEDUP_MAX_IDS`
   * already: a resend of them is no longer dropped.
   */
  readonly dedupEvicted = new Counter({
    name: 'events_dedup_evicted_total',
    help: 'Event ids forgotten before DEDUP_WINDOW_MS ended because DEDUP_MAX_IDS were remembered',
    registers: [this.registry],
  });
  /** Alerts emitted by the pipeline, by rule id. */
  readonly alertsOut = new Counter({
    name: 'alerts_out_total',
    help: 'Alerts emitted, by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /** Inputs refused and dead-lettered. */
  readonly deadLetters = new Counter({
    name: 'dead_letters_total',
    help: 'Inputs dead-lettered',
    registers: [this.registry],
  });
  /** Rule updates the engine refused (compile errors of stored rules). */
  readonly rejectedRuleUpdates = new Counter({
    name: 'rule_updates_rejected_total',
    help: 'Rule updates refused by the engine',
    registers: [this.registry],
  });
  /**
   * Active rules (set at scrape time). Its `collect` runs every {@link onCollect} callback; it is
   * registered before the other computed gauges, so they are fresh when serialized.
   */
  readonly rulesActive = new Gauge({
    name: 'rules_active',
    help: 'Rules with status active',
    registers: [this.registry],
    collect: () => this.runCollectors(),
  });
  /**
   * Run-time condition failures (counted as false), by rule: the pipeline's per-rule counts, added
   * at scrape time.
   */
  readonly conditionErrors = new Counter({
    name: 'cep_condition_errors_total',
    help: 'Condition evaluations that failed at run time (counted as false), by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /** Duration of each completed checkpoint (Kafka mode: of each task's commit). */
  readonly checkpointDuration = new Histogram({
    name: 'checkpoint_duration_seconds',
    help: 'Duration of completed checkpoints (Kafka mode: task commits)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** State size of the last completed checkpoint (set at scrape time). */
  readonly checkpointSize = new Gauge({
    name: 'checkpoint_size_bytes',
    help: 'State size of the last completed checkpoint',
    registers: [this.registry],
  });
  /** Whether the engine job runs (1) or not (0). */
  readonly pipelineUp = new Gauge({
    name: 'pipeline_up',
    help: 'Whether the engine job runs',
    registers: [this.registry],
  });

  /** Events that reached a rule's evaluator at or behind the watermark (dead-lettered with reason `late`). */
  readonly lateEvents = new Counter({
    name: 'cep_late_events_total',
    help: 'Events that reached a rule at or behind the watermark (late), by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /** Partial matches and alerts dropped over a rule's caps (`limits`), by rule and what. */
  readonly droppedOverCap = new Counter({
    name: 'cep_rule_dropped_total',
    help: 'Partial matches or alerts dropped over the caps of a rule, by rule and kind',
    labelNames: ['rule', 'kind'] as const,
    registers: [this.registry],
  });
  /** 1 while a rule is degraded (it dropped something over its caps in the last 10 minutes). */
  readonly ruleDegraded = new Gauge({
    name: 'cep_rule_degraded',
    help: '1 while a rule is degraded: it dropped partial matches or alerts over its caps lately',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /** Partial matches held now per pattern rule, over all keys of this process (set at scrape time). */
  readonly partialMatches = new Gauge({
    name: 'cep_partial_matches',
    help: 'Partial matches held per pattern rule in this process',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /**
   * Kafka mode: records of the input topic not yet committed by the stage's consumer group
   * (end offset minus committed offset, summed over partitions; refreshed every few seconds).
   */
  readonly consumerLag = new Gauge({
    name: 'kafka_consumer_lag_records',
    help: 'Records of the input topic not yet committed by the consumer group (Kafka mode)',
    labelNames: ['group', 'topic'] as const,
    registers: [this.registry],
  });

  /** Kafka mode: {@link ServiceMetrics.consumerLag} per partition. */
  readonly partitionLag = new Gauge({
    name: 'kafka_consumer_partition_lag_records',
    help: 'Records of an input partition not yet committed by the consumer group (Kafka mode)',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  /**
   * Kafka mode: the offset before which `<app>-routed`'s records were last deleted, per partition
   * (consumed by the evaluator group; Kafka Streams' repartition-topic purge).
   */
  readonly routedPurgedOffset = new Gauge({
    name: 'kafka_routed_purged_offset',
    help: 'Offset before which the repartition topic was purged, per partition (Kafka mode)',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });

  /**
   * The job's event-time watermark, seconds since the epoch (set at scrape time; 0 before the
   * first watermark, and the lag 0 then too).
   */
  readonly watermark = new Gauge({
    name: 'cep_watermark_seconds',
    help: 'Event-time watermark of the engine job (seconds since the epoch)',
    registers: [this.registry],
  });
  /** Wall clock minus the watermark, in seconds (set at scrape time). */
  readonly watermarkLag = new Gauge({
    name: 'cep_watermark_lag_seconds',
    help: 'Wall-clock time minus the event-time watermark, in seconds',
    registers: [this.registry],
  });
  /** HTTP requests answered, by method, route template and status code. */
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  /** Time to answer HTTP requests (to the end of the response; SSE streams are not included). */
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route (SSE streams excluded)',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Registers a callback run before every scrape. @example `metrics.onCollect(() => gauge.set(n))` */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  private runCollectors(): void {
    for (const fn of this.collectors) fn();
  }
}
