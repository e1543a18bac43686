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
    const rejectedTag = new OutputTag<RejectedPatternUpdate<Rule>>('rules-rejected-updates');
    const timedOutTag = new OutputTag<Alert>('rules-timed-out-alerts');
    const tsField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    const ruleOptions: RuleOptions = { errors: options.errors, timestampField: tsField };
    const routed = events
      .keyBy((e) => e[tsField] as number)
      .connect(updates.broadcast(RuleTable.descriptor))
      .process(new RuleRouter({ ...ruleOptions, rejectedUpdates: rejectedTag }));
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
    return {
      alerts: patternAlerts.union(thresholdAlerts, patternAlerts.getSideOutput(timedOutTag)),
      rejectedUpdates: routed.getSideOutput(rejectedTag),
    };
  },
};
