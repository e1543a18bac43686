import { DynamicCEP, type RejectedPatternUpdate } from '../cep/index.js';
import { type DataStream, OutputTag } from '../core/index.js';
import type { Alert } from './alert.js';
import { compileRoutedPatternRule } from './compile-pattern-rule.js';
import { RoutedPatternAlerts } from './pattern-alerts.js';
import { type RoutedEvent, routeKeyOf, ruleIdOfRouteKey } from './routed-event.js';
import type { Rule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';
import { RuleRouter } from './rule-router.js';
import { RuleTable } from './rule-table.js';
import { type RuleUpdate, ruleDeletion } from './rule-update.js';
import { ThresholdEvaluator } from './threshold-evaluator.js';
import type { RuleOptions } from './validate-rule.js';

/**
 * Options of {@link RulePipeline.alerts}.
 *
 * @example
 * ```ts
 * RulePipeline.alerts(events, updates, { lateEvents: lateTag });
 * ```
 */
export interface RulePipelineOptions extends RuleOptions {
  /** Late events of pattern rules (routed), instead of dropping them. */
  readonly lateEvents?: OutputTag<RoutedEvent>;
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
}

/**
 * The rules layer as one job fragment: events and rule updates in, alerts out, in event time.
 *
 * ```
 * events ─keyBy(ts)─► RuleRouter ─┬─ pattern ─keyBy(rule|key)─► DynamicCEP ─► RoutedPatternAlerts ─┐
 * updates ─broadcast──┘           └─ threshold ─keyBy(rule|key)─► ThresholdEvaluator ──────────────┴─► alerts
 * ```
 *
 * Events need timestamps and watermarks (`assignTimestampsAndWatermarks`), and so does the
 * update stream (or it must be bounded), since every operator's event time is the minimum of
 * its inputs. Each rule sees the events of its own grouping key (dynamic keying); adding,
 * changing, pausing or deleting a rule touches only that rule's state.
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
    return { alerts: RulePipeline.evaluate(routed, updates, options), rejectedUpdates };
  },

  /**
   * The first half of {@link RulePipeline.alerts}: dynamic keying. Each event goes to every rule
   * in force at its timestamp whose grouping key it has, as a {@link RoutedEvent} to be keyed by
   * `routeKeyOf`. Across processes the routed stream goes through a repartition topic keyed by
   * `routeKeyOf` (the service's Kafka mode), then into {@link RulePipeline.evaluate}.
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
    options: RuleOptions = {},
  ): { routed: DataStream<RoutedEvent>; rejectedUpdates: DataStream<RejectedPatternUpdate<Rule>> } {
    const rejectedTag = new OutputTag<RejectedPatternUpdate<Rule>>('rules-rejected-updates');
    const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    const routed = events
      .keyBy((e) => e[tsField] as number)
      .connect(updates.broadcast(RuleTable.descriptor))
      .process(
        new RuleRouter({ errors: options.errors, timestampField: tsField, rejectedUpdates: rejectedTag }),
      );
    return { routed, rejectedUpdates: routed.getSideOutput(rejectedTag) };
  },

  /**
   * The second half of {@link RulePipeline.alerts}: routed events (in event time) and the rule
   * updates in, alerts out. Pattern rules run in one DynamicCEP operator, threshold rules in the
   * threshold evaluator, both keyed by `routeKeyOf`.
   *
   * @example
   * ```ts
   * RulePipeline.evaluate(routedFromRepartitionTopic, updates).sinkTo(alertSink);
   * ```
   */
  evaluate(
    routed: DataStream<RoutedEvent>,
    updates: DataStream<RuleUpdate>,
    options: RulePipelineOptions = {},
  ): DataStream<Alert> {
    const timedOutTag = new OutputTag<Alert>('rules-timed-out-alerts');
    const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    const ruleOptions: RuleOptions = { errors: options.errors, timestampField: tsField };
    const thresholdAlerts = routed
      .filter((r) => r.rule.kind === 'threshold')
      .keyBy(routeKeyOf)
      .connect(updates.broadcast(RuleTable.descriptor))
      .process(new ThresholdEvaluator(ruleOptions));
    // The CEP operator sees a threshold version of a rule as a deletion, so a rule that changes
    // kind stops matching as a pattern.
    const cepUpdates = updates.map(
      (u): RuleUpdate =>
        u.deleted === true || (u.definition as Partial<Rule> | undefined)?.kind !== 'threshold'
          ? u
          : ruleDeletion(u.id, u.version),
    );
    const patternStream = DynamicCEP.patterns(
      routed.filter((r) => r.rule.kind === 'pattern').keyBy(routeKeyOf),
      cepUpdates,
      (rule: Rule) => compileRoutedPatternRule(rule, ruleOptions),
      // Each key belongs to one rule: only its pattern runs there (not every rule's, N x N work).
      { patternOfKey: ruleIdOfRouteKey },
    );
    if (options.lateEvents !== undefined) patternStream.sideOutputLateData(options.lateEvents);
    const patternAlerts = patternStream.process(new RoutedPatternAlerts(timedOutTag));
    return patternAlerts.union(thresholdAlerts, patternAlerts.getSideOutput(timedOutTag));
  },
};
