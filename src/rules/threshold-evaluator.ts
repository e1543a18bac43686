import {
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  type MapState,
  MapStateDescriptor,
} from '../core/index.js';
import type { ReadOnlyBroadcastState } from '../core/state/broadcast-state.js';
import type { Alert } from './alert.js';
import { type CompiledThresholdRule, compileThresholdRule } from './compile-threshold-rule.js';
import { renderThresholdAlert } from './render-alert.js';
import type { RoutedEvent } from './routed-event.js';
import type { ThresholdRule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD } from './rule-event.js';
import { type RuleEntry, RuleTable } from './rule-table.js';
import type { RuleUpdate } from './rule-update.js';
import type { RuleOptions } from './validate-rule.js';
import { addToAggregate, aggregateValue, compareValues, type WindowAggregate } from './window-aggregate.js';

/** Per key (rule id + grouping key): window start -> aggregate. */
const windowsDesc = new MapStateDescriptor<number, WindowAggregate>('threshold-windows');

/**
 * Evaluates threshold rules at run time (the second half of dynamic keying, after
 * {@link RuleRouter}): input 1 is the routed events keyed by `routeKeyOf` (one rule, one entity
 * per key), input 2 the rule updates, broadcast.
 *
 * Per key it keeps one incremental {@link WindowAggregate} per open window (windows from the
 * core's `TumblingEventTimeWindows`/`SlidingEventTimeWindows`), and one event-time timer per
 * window end. When the watermark passes a window's end, the aggregate is compared with the limit,
 * an alert is emitted if it passes, and the window's state goes. So:
 *
 * - a window exists only once an event passed the filter (an empty window never alerts, even
 *   for `count < n`);
 * - events for a window the watermark has already passed are late and dropped (no allowed
 *   lateness);
 * - each sliding window that passes alerts (a burst over a 24 h window sliding hourly alerts once
 *   per window containing it); the alert id is per window, so replays deduplicate;
 * - rule changes apply in event time, from the update's timestamp (`since`) on: the version
 *   before keeps the windows that end by then (they still alert), windows ending later restart
 *   under the new version with the events from `since` on, a pause or deletion drops the rule's
 *   windows that end after it; other rules are untouched.
 *
 * @example
 * ```ts
 * const alerts = routed
 *   .keyBy(routeKeyOf)
 *   .connect(updates.broadcast(RuleTable.descriptor))
 *   .process(new ThresholdEvaluator());
 * ```
 */
export class ThresholdEvaluator extends KeyedBroadcastProcessFunction<
  string,
  RoutedEvent,
  RuleUpdate,
  Alert
> {
  private windows!: MapState<number, WindowAggregate>;
  /** Compiled rules by `id@version`: compiled once per subtask, rebuilt lazily after a restore. */
  private compiled = new Map<string, CompiledThresholdRule>();

  // Separate fields, not one options object: functions are copied per subtask and a plain
  // object is deep-cloned, which would turn the ConditionErrors instance into a plain object.
  private readonly errors: RuleOptions['errors'];
  private readonly timestampField: string;

  constructor(options: RuleOptions = {}) {
    super();
    this.errors = options.errors;
    this.timestampField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
  }

  private get options(): RuleOptions {
    return { errors: this.errors, timestampField: this.timestampField };
  }

  override open(): void {
    this.windows = this.getRuntimeContext().getMapState(windowsDesc);
    this.compiled = new Map();
  }

  processElement(
    routed: RoutedEvent,
    ctx: KeyedBroadcastReadOnlyContext<string>,
    _out: Collector<Alert>,
  ): void {
    const rule = routed.rule;
    if (rule.kind !== 'threshold') return;
    const event = routed.event;
    const ts = ctx.timestamp() ?? (event[this.timestampField] as number);
    // Windows this event may count in under its version: all of them for the latest version (or
    // one this subtask has not seen yet), only those ending by `since` for the version before.
    let endBy = Number.POSITIVE_INFINITY;
    const entry = ctx.getBroadcastState(RuleTable.descriptor).get(rule.id);
    if (entry !== undefined && rule.version <= RuleTable.latest(entry).version) {
      const version = RuleTable.find(entry, rule.version);
      endBy = RuleTable.validUntil(entry, rule.version) ?? Number.NEGATIVE_INFINITY;
      if (version?.status !== 'active' || ts >= endBy) return; // routed under a version replaced since
    }
    const compiled = this.compile(rule);
    if (compiled === undefined || !compiled.accepts(event)) return;
    const value = compiled.valueOf(event);
    if (value === undefined) return;
    const timers = ctx.timerService();
    const watermark = timers.currentWatermark();
    const assignerCtx = { getCurrentProcessingTime: () => timers.currentProcessingTime() };
    for (const w of compiled.assigner.assignWindows(event, ts, assignerCtx)) {
      if (w.maxTimestamp() <= watermark) continue; // late for this window
      if (w.end > endBy) continue; // the next version starts this window afresh
      let acc = this.windows.get(w.start);
      // A window built by another version ends after that version's switch: the newer one restarts it.
      if (acc !== undefined && acc.v !== rule.version) {
        if (acc.v > rule.version) continue;
        acc = undefined;
      }
      this.windows.put(w.start, addToAggregate(acc, rule.version, w.start, w.end, event, ts, value));
      if (acc === undefined) timers.registerEventTimeTimer(w.maxTimestamp());
    }
  }

  override onTimer(
    timestamp: number,
    ctx: KeyedBroadcastOnTimerContext<string>,
    out: Collector<Alert>,
  ): void {
    const key = ctx.getCurrentKey();
    const sep = key.indexOf('|');
    const id = key.slice(0, sep);
    const groupKey = key.slice(sep + 1);
    const due: WindowAggregate[] = [];
    for (const [, acc] of this.windows.entries()) if (acc.end - 1 <= timestamp) due.push(acc);
    const rules = ctx.getBroadcastState(RuleTable.descriptor);
    for (const acc of due) {
      this.windows.remove(acc.start);
      const compiled = this.lookup(rules, id, acc);
      if (compiled === undefined) continue; // the rule changed or went: its windows do not alert
      const rule = compiled.rule;
      const value = aggregateValue(acc, rule.aggregate);
      if (compareValues(value, rule.compare.op, rule.compare.value)) {
        out.collect(
          renderThresholdAlert(rule, groupKey, {
            start: acc.start,
            end: acc.end,
            value,
            count: acc.n,
            last: acc.last,
          }),
        );
      }
    }
  }

  processBroadcastElement(update: RuleUpdate, ctx: KeyedBroadcastContext, _out: Collector<Alert>): void {
    const watermark = ctx.timerService().currentWatermark();
    const since = ctx.timestamp() ?? watermark;
    const change = RuleTable.apply(
      ctx.getBroadcastState(RuleTable.descriptor),
      update,
      since,
      watermark,
      this.options,
    );
    if (change.outcome !== 'applied') return;
    const { id, entry } = change;
    // Drop now, on every key of this rule, the windows that can no longer alert; the others
    // (the previous version's windows ending by `since`) still fire at their end.
    const prefix = `${id}|`;
    ctx.applyToKeyedState(windowsDesc, (key: string, state: MapState<number, WindowAggregate>) => {
      if (typeof key !== 'string' || !key.startsWith(prefix)) return;
      const drop: number[] = [];
      for (const [start, acc] of state.entries()) if (!canAlert(entry, acc)) drop.push(start);
      for (const start of drop) state.remove(start);
    });
  }

  private compile(rule: ThresholdRule): CompiledThresholdRule | undefined {
    const id = `${rule.id}@${rule.version}`;
    let c = this.compiled.get(id);
    if (c === undefined) {
      try {
        c = compileThresholdRule(rule, this.options);
      } catch {
        return undefined; // the router validated it; a definition that fails here is not run
      }
      this.compiled.set(id, c);
    }
    return c;
  }

  /** The compiled rule an aggregate was built with, if that version may still alert for it. */
  private lookup(
    rules: ReadOnlyBroadcastState<string, RuleEntry>,
    id: string,
    acc: WindowAggregate,
  ): CompiledThresholdRule | undefined {
    const entry = rules.get(id);
    if (entry !== undefined && !canAlert(entry, acc)) return undefined;
    const cached = this.compiled.get(`${id}@${acc.v}`);
    if (cached !== undefined) return cached;
    // After a restore the cache is empty: the rule is in broadcast state.
    const rule = entry === undefined ? undefined : RuleTable.find(entry, acc.v)?.rule;
    return rule?.kind === 'threshold' ? this.compile(rule) : undefined;
  }
}

/**
 * Whether an aggregate may still alert under `entry`: built by a kept, active version for a
 * window ending by the time a newer version took over, or by a version newer than this subtask
 * has seen.
 */
function canAlert(entry: RuleEntry, acc: WindowAggregate): boolean {
  if (acc.v > RuleTable.latest(entry).version) return true;
  const version = RuleTable.find(entry, acc.v);
  if (version === undefined || version.status !== 'active' || version.rule?.kind !== 'threshold')
    return false;
  return acc.end <= RuleTable.validUntil(entry, acc.v)!;
}
