import type { RejectedPatternUpdate } from '../cep/index.js';
import type { OutputTag } from '../core/index.js';
import {
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  type ListState,
  ListStateDescriptor,
} from '../core/index.js';
import type { ReadOnlyBroadcastState } from '../core/state/broadcast-state.js';
import { groupingKeyOf } from './grouping-key.js';
import type { RoutedEvent } from './routed-event.js';
import type { Rule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';
import { type RuleEntry, RuleTable } from './rule-table.js';
import type { RuleUpdate } from './rule-update.js';
import type { RuleOptions } from './validate-rule.js';

/**
 * Options of {@link RuleRouter}.
 *
 * @example
 * ```ts
 * new RuleRouter({ kinds: ['threshold'], rejectedUpdates: rejectedTag });
 * ```
 */
export interface RuleRouterOptions {
  /** Which rule kinds to route to (default both). */
  readonly kinds?: readonly Rule['kind'][];
  /** Event time (default): events wait until the watermark passes them. Processing time: at once. */
  readonly eventTime?: boolean;
  readonly timestampField?: string;
  /** Refused updates go here (from subtask 0 only, as the dynamic CEP operator does). */
  readonly rejectedUpdates?: OutputTag<RejectedPatternUpdate<Rule>>;
  /** Where conditions count run-time failures (validation parses them). */
  readonly errors?: RuleOptions['errors'];
}

const bufferDesc = new ListStateDescriptor<RuleEvent>('rule-router-buffer');

/**
 * Dynamic keying (the first half of Flink's fraud-detection "dynamic rules" design): fans each
 * event out to every active rule whose grouping key it has, as {@link RoutedEvent}s to be keyed by
 * `routeKeyOf`. The rules come from the broadcast update stream.
 *
 * In event time the event stream must be keyed by the event timestamp (`keyBy((e) => e.ts)`):
 * each event waits in keyed state until the watermark passes its timestamp, so every rule update
 * with an earlier timestamp has arrived (the operator's watermark is the minimum of both inputs),
 * and the event goes to the version of each rule in force at its timestamp (the latest version
 * from its update's timestamp on, the one before it earlier): which rules see an event is
 * decided by event time, not by which input the scheduler served first. Events already behind the
 * watermark are routed at once (downstream operators decide about lateness). In processing time
 * events are routed on arrival with the rules known then.
 *
 * @example
 * ```ts
 * const routed = events
 *   .keyBy((e) => e.ts as number)
 *   .connect(updates.broadcast(RuleTable.descriptor))
 *   .process(new RuleRouter({ kinds: ['threshold'] }));
 * ```
 */
export class RuleRouter extends KeyedBroadcastProcessFunction<unknown, RuleEvent, RuleUpdate, RoutedEvent> {
  private buffer!: ListState<RuleEvent>;
  /** The live rule entries, sorted by id; rebuilt after each update (and restore). */
  private liveEntries: RuleEntry[] | undefined;

  // Separate fields, not one options object: functions are copied per subtask and a plain
  // object is deep-cloned, which would turn the tag and the ConditionErrors into plain objects.
  private readonly kinds: readonly Rule['kind'][];
  private readonly eventTime: boolean;
  private readonly timestampField: string;
  private readonly errors: RuleOptions['errors'];
  private readonly rejectedTag: OutputTag<RejectedPatternUpdate<Rule>> | undefined;

  constructor(options: RuleRouterOptions = {}) {
    super();
    this.kinds = [...(options.kinds ?? ['pattern', 'threshold'])];
    this.eventTime = options.eventTime ?? true;
    this.timestampField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    this.errors = options.errors;
    this.rejectedTag = options.rejectedUpdates;
  }

  override open(): void {
    this.buffer = this.getRuntimeContext().getListState(bufferDesc);
  }

  processElement(
    event: RuleEvent,
    ctx: KeyedBroadcastReadOnlyContext<unknown>,
    out: Collector<RoutedEvent>,
  ): void {
    const ts = ctx.timestamp() ?? (event[this.timestampField] as number);
    const entries = this.entries(ctx.getBroadcastState(RuleTable.descriptor));
    if (!this.eventTime) {
      this.route(event, ts, entries, out);
      return;
    }
    const timers = ctx.timerService();
    if (ts <= timers.currentWatermark()) {
      this.route(event, ts, entries, out);
      return;
    }
    this.buffer.add(event);
    timers.registerEventTimeTimer(ts);
  }

  override onTimer(
    ts: number,
    ctx: KeyedBroadcastOnTimerContext<unknown>,
    out: Collector<RoutedEvent>,
  ): void {
    const entries = this.entries(ctx.getBroadcastState(RuleTable.descriptor));
    for (const event of this.buffer.get()) this.route(event, ts, entries, out);
    this.buffer.clear();
  }

  processBroadcastElement(
    update: RuleUpdate,
    ctx: KeyedBroadcastContext,
    _out: Collector<RoutedEvent>,
  ): void {
    const watermark = ctx.timerService().currentWatermark();
    const since = ctx.timestamp() ?? watermark;
    const change = RuleTable.apply(ctx.getBroadcastState(RuleTable.descriptor), update, since, watermark, {
      errors: this.errors,
      timestampField: this.timestampField,
    });
    this.liveEntries = undefined;
    const tag = this.rejectedTag;
    if (
      change.outcome === 'rejected' &&
      tag !== undefined &&
      this.getRuntimeContext().getIndexOfThisSubtask() === 0
    ) {
      ctx.output(tag, { update, reason: change.reason });
    }
  }

  private route(
    event: RuleEvent,
    ts: number,
    entries: readonly RuleEntry[],
    out: Collector<RoutedEvent>,
  ): void {
    for (const entry of entries) {
      const rule = RuleTable.ruleAt(entry, ts);
      if (rule === undefined || !this.kinds.includes(rule.kind)) continue;
      const key = groupingKeyOf(rule, event);
      if (key !== undefined) out.collect({ rule, key, event });
    }
  }

  private entries(state: ReadOnlyBroadcastState<string, RuleEntry>): RuleEntry[] {
    if (this.liveEntries === undefined) this.liveEntries = RuleTable.live(state);
    return this.liveEntries;
  }
}
