import type { RejectedPatternUpdate } from '../cep/index.js';
import { TwoInputTransformation } from '../core/graph/transformation.js';
import { type DataStream, OutputTag, SingleOutputStreamOperator } from '../core/index.js';
import type { Alert } from './alert.js';
import { type DedupeOptions, dedupeEvents } from './event-deduplicator.js';
import { GroupRouter } from './group-router.js';
import { type GroupedEvent, groupKeyOf, type LateGroupedEvent } from './grouped-event.js';
import type { Rule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';
import { RuleGroupOperator } from './rule-group-operator.js';
import type { RuleStats } from './rule-stats.js';
import { RuleTable } from './rule-table.js';
import type { RuleUpdate } from './rule-update.js';
import type { RuleOptions } from './validate-rule.js';

/**
 * Options of {@link RulePipeline.alerts}.
 *
 * @example
 * ```ts
 * RulePipeline.alerts(events, updates, { lateEvents: lateTag, stats });
 * ```
 */
export interface RulePipelineOptions extends RuleOptions {
  /** Late events (grouped, with the watermark they were behind), besides being counted per rule. */
  readonly lateEvents?: OutputTag<LateGroupedEvent>;
  /** Per-rule counters (alerts, late events, partial matches) of the evaluators. */
  readonly stats?: RuleStats;
  /**
   * Route events only to the rules whose conditions could take them (default true). `false`
   * evaluates every rule of a grouping on every event of it, and opens every partial match at its
   * start (no deferred starts, start-log.ts): the plain path the fast one must equal.
   */
  readonly indexed?: boolean;
  /**
   * Drop events whose `id` was seen within `windowMs` (processing time) before routing them
   * ({@link dedupeEvents}, operator uid `event-dedup`); unset or `windowMs` 0: no dedup stage.
   * Used by {@link RulePipeline.route} (and so {@link RulePipeline.alerts}), not by `evaluate`.
   */
  readonly dedupe?: DedupeOptions;
  /**
   * Explicit uids of the router (`GroupRouter`, in {@link RulePipeline.route}) and the evaluator
   * (`RuleGroupOperator`, in {@link RulePipeline.evaluate}); unset, they are generated from their
   * position in the job graph, which an operator added before them (the dedup stage) changes. A
   * job that restores checkpoints of an earlier graph pins the uids its operators had there.
   */
  readonly uids?: { readonly router?: string; readonly evaluator?: string };
}

/**
 * What {@link RulePipeline.alerts} builds: every alert (`match`, `timeout` and `threshold`) and
 * the refused rule updates with their reasons.
 *
 * @example
 * ```ts
 * const { alerts, rejectedUpdates } = RulePipeline.alerts(events, updates);
 * ```
 */
export interface RulePipelineStreams {
  readonly alerts: DataStream<Alert>;
  readonly rejectedUpdates: DataStream<RejectedPatternUpdate<Rule>>;
  /** Late events, when the options name a `lateEvents` tag. */
  readonly late?: DataStream<LateGroupedEvent> | undefined;
}

/**
 * The rules layer as one job fragment: events and rule updates in, alerts out, in event time.
 *
 * ```
 * events ─keyBy(ts)─► GroupRouter ─keyBy(grouping key)─► RuleGroupOperator ─► alerts
 * updates ─broadcast──┘                                  ┘ (broadcast)
 * ```
 *
 * With `dedupe`, events first go through `EventDeduplicator` (keyed by event id), which
 * drops an event whose `id` it saw within the window.
 *
 * Events are routed once per distinct grouping (the key fields rules group by), not once per
 * rule, and only to the rules whose conditions could take them (the rule index); all rules of a
 * grouping live side by side in one keyed state per key (one event queue, their NFAs and
 * windows). Events need timestamps and watermarks (`assignTimestampsAndWatermarks`), and so does
 * the update stream (or it must be bounded), since every operator's event time is the minimum of
 * its inputs. Adding, changing, pausing or deleting a rule touches only that rule's state.
 *
 * @example
 * ```ts
 * const { alerts, rejectedUpdates } = RulePipeline.alerts(events, updates);
 * alerts.sinkTo(alertSink);
 * ```
 */
export const RulePipeline = {
  alerts(
    events: DataStream<RuleEvent>,
    updates: DataStream<RuleUpdate>,
    options: RulePipelineOptions = {},
  ): RulePipelineStreams {
    const { routed, rejectedUpdates } = RulePipeline.route(events, updates, options);
    const alerts = RulePipeline.evaluate(routed, updates, options);
    const late = options.lateEvents === undefined ? undefined : alerts.getSideOutput(options.lateEvents);
    return { alerts, rejectedUpdates, late };
  },

  /**
   * The first half of {@link RulePipeline.alerts}: each event once per grouping, naming the
   * rules (id and version in force at its time) that could take it. Across processes the routed
   * stream goes through a repartition topic keyed by the grouping key (the service's Kafka
   * mode), then into {@link RulePipeline.evaluate}.
   *
   * @example
   * ```ts
   * const { routed } = RulePipeline.route(events, updates);
   * RulePipeline.evaluate(routed, updates).sinkTo(alertSink);
   * ```
   */
  route(
    events: DataStream<RuleEvent>,
    updates: DataStream<RuleUpdate>,
    options: RulePipelineOptions = {},
  ): { routed: DataStream<GroupedEvent>; rejectedUpdates: DataStream<RejectedPatternUpdate<Rule>> } {
    const rejectedTag = new OutputTag<RejectedPatternUpdate<Rule>>('rules-rejected-updates');
    const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    const input =
      options.dedupe === undefined
        ? events
        : dedupeEvents(events, { timestampField: tsField, ...options.dedupe });
    const routed = input
      .keyBy((e) => e[tsField] as number)
      .connect(updates.broadcast(RuleTable.descriptor))
      .process(
        new GroupRouter({
          errors: options.errors,
          timestampField: tsField,
          rejectedUpdates: rejectedTag,
          indexed: options.indexed ?? true,
        }),
      );
    if (options.uids?.router !== undefined) routed.uid(options.uids.router);
    return { routed, rejectedUpdates: routed.getSideOutput(rejectedTag) };
  },

  /**
   * The second half of {@link RulePipeline.alerts}: grouped events (in event time) and the rule
   * updates in, alerts out, every rule of a grouping evaluated beside the others per key.
   *
   * @example
   * ```ts
   * RulePipeline.evaluate(routedFromRepartitionTopic, updates).sinkTo(alertSink);
   * ```
   */
  evaluate(
    routed: DataStream<GroupedEvent>,
    updates: DataStream<RuleUpdate>,
    options: RulePipelineOptions = {},
  ): SingleOutputStreamOperator<Alert> {
    const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    const config = {
      options: { errors: options.errors, timestampField: tsField },
      lateEvents: options.lateEvents,
      stats: options.stats,
      // The plain path (no index) is the reference the fast one is proven against: eager starts too.
      deferStarts: options.indexed ?? true,
    };
    const env = routed.getExecutionEnvironment();
    const keyed = routed.keyBy(groupKeyOf);
    const t = new TwoInputTransformation<GroupedEvent, RuleUpdate, Alert>(
      'RuleGroupOperator',
      keyed.getTransformation(),
      updates.broadcast().getTransformation(),
      () => new RuleGroupOperator(config),
      groupKeyOf,
    );
    if (options.uids?.evaluator !== undefined) t.uid = options.uids.evaluator;
    env.addOperator(t);
    return new SingleOutputStreamOperator(env, t);
  },
};
