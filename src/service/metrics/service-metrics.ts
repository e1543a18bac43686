import { Injectable } from '@nestjs/common';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, in a registry of its own (so several apps in one process, as
 * in tests, do not clash). Gauges whose value lives elsewhere (`rules_active`,
 * `checkpoint_age_seconds`) are filled at scrape time through {@link ServiceMetrics.onCollect}.
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
  /** Run-time condition failures (counted as false), by rule (set at scrape time). */
  readonly conditionErrors = new Gauge({
    name: 'condition_errors',
    help: 'Condition evaluations that failed at run time, by rule',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  /** Duration of the last completed checkpoint (set at scrape time). */
  readonly checkpointDuration = new Gauge({
    name: 'checkpoint_duration_seconds',
    help: 'Duration of the last completed checkpoint',
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
