import type { RejectedPatternUpdate } from '../cep/index.js';
import {
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  type KeyedBroadcastReadOnlyContext,
  type ListState,
  ListStateDescriptor,
  type OutputTag,
} from '../core/index.js';
import type { ReadOnlyBroadcastState } from '../core/state/broadcast-state.js';
import type { GroupedEvent, RuleRef } from './grouped-event.js';
import { groupingKeyOf } from './grouping-key.js';
import { RoutingPlan } from './routing-plan.js';
import type { Rule } from './rule.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from './rule-event.js';
import { type RuleEntry, RuleTable } from './rule-table.js';
import type { RuleUpdate } from './rule-update.js';
import type { RuleOptions } from './validate-rule.js';

/**
 * Options of {@link GroupRouter}.
 *
 * @example
 * ```ts
 * new GroupRouter({ rejectedUpdates: rejectedTag, indexed: true });
 * ```
 */
export interface GroupRouterOptions {
  readonly timestampField?: string;
  /** Refused updates go here (from subtask 0 only, as every subtask decides alike). */
  readonly rejectedUpdates?: OutputTag<RejectedPatternUpdate<Rule>>;
  /** Where conditions count run-time failures (validation parses them). */
  readonly errors?: RuleOptions['errors'];
  /** Route an event only to the rules whose conditions could take it (default true). */
  readonly indexed?: boolean;
}

const bufferDesc = new ListStateDescriptor<RuleEvent>('group-router-buffer');
const NO_REFS: readonly RuleRef[] = Object.freeze([]);

/**
 * Dynamic keying once per grouping: each event goes out once per distinct grouping (the key
 * fields rules group by) whose key it has, as a {@link GroupedEvent} naming the rules of that
 * grouping in force at its timestamp that could take it (the rule index: equality conjuncts of
 * their conditions, e.g. `e.type == "payout"`). A grouping none of whose rules could take the
 * event gets nothing, unless one of its rules is strict (then an empty reference list goes, so
 * strict runs still break).
 *
 * Event time: the input is keyed by timestamp, each event waits
 * until the watermark passes it (so every rule update with an earlier timestamp has arrived),
 * and goes to the versions in force at its own timestamp; events already behind the watermark go
 * at once (the evaluator counts them late).
 *
 * @example
 * ```ts
 * const grouped = events
 *   .keyBy((e) => e.ts as number)
 *   .connect(updates.broadcast(RuleTable.descriptor))
 *   .process(new GroupRouter());
 * ```
 */
export class GroupRouter extends KeyedBroadcastProcessFunction<unknown, RuleEvent, RuleUpdate, GroupedEvent> {
  private buffer!: ListState<RuleEvent>;
  /** The plan of the latest versions, valid for events from `latestFrom` on; rebuilt after updates. */
  private latest: RoutingPlan | undefined;
  private latestFrom = Number.NEGATIVE_INFINITY;
  /** The entries with an active version, by id, as of the last rebuild of `latest`. */
  private liveEntries: RuleEntry[] = [];
  /** The last plan built for an earlier time, with the versions it was built of. */
  private older: { signature: string; plan: RoutingPlan } | undefined;
  private readonly candidates: RuleRef[] = [];

  // Separate fields, not one options object: functions are copied per subtask and a plain
  // object is deep-cloned, which would turn the tag and the ConditionErrors into plain objects.
  private readonly timestampField: string;
  private readonly errors: RuleOptions['errors'];
  private readonly rejectedTag: OutputTag<RejectedPatternUpdate<Rule>> | undefined;
  private readonly indexed: boolean;

  constructor(options: GroupRouterOptions = {}) {
    super();
    this.timestampField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
    this.errors = options.errors;
    this.rejectedTag = options.rejectedUpdates;
    this.indexed = options.indexed ?? true;
  }

  override open(): void {
    this.buffer = this.getRuntimeContext().getListState(bufferDesc);
  }

  processElement(
    event: RuleEvent,
    ctx: KeyedBroadcastReadOnlyContext<unknown>,
    out: Collector<GroupedEvent>,
  ): void {
    const ts = ctx.timestamp() ?? (event[this.timestampField] as number);
    const timers = ctx.timerService();
    if (ts <= timers.currentWatermark()) {
      this.route(event, ts, ctx.getBroadcastState(RuleTable.descriptor), out);
      return;
    }
    this.buffer.add(event);
    timers.registerEventTimeTimer(ts);
  }

  override onTimer(
    ts: number,
    ctx: KeyedBroadcastOnTimerContext<unknown>,
    out: Collector<GroupedEvent>,
  ): void {
    const rules = ctx.getBroadcastState(RuleTable.descriptor);
    for (const event of this.buffer.get()) this.route(event, ts, rules, out);
    this.buffer.clear();
  }

  processBroadcastElement(
    update: RuleUpdate,
    ctx: KeyedBroadcastContext,
    _out: Collector<GroupedEvent>,
  ): void {
    const watermark = ctx.timerService().currentWatermark();
    const since = ctx.timestamp() ?? watermark;
    const change = RuleTable.apply(ctx.getBroadcastState(RuleTable.descriptor), update, since, watermark, {
      errors: this.errors,
      timestampField: this.timestampField,
    });
    if (change.outcome === 'applied') {
      this.latest = undefined;
      this.older = undefined;
    }
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
    rules: ReadOnlyBroadcastState<string, RuleEntry>,
    out: Collector<GroupedEvent>,
  ): void {
    const plan = this.planAt(ts, rules);
    const candidates = this.candidates;
    for (const g of plan.groupings) {
      const key = groupingKeyOf({ key: g.fields }, event);
      if (key === undefined) continue;
      g.index.candidates(event, candidates);
      if (candidates.length === 0) {
        if (g.strict) out.collect({ key, event, refs: NO_REFS });
        continue;
      }
      out.collect({ key, event, refs: candidates.slice() });
    }
  }

  /** The plan of the rules in force at `ts`. */
  private planAt(ts: number, rules: ReadOnlyBroadcastState<string, RuleEntry>): RoutingPlan {
    if (this.latest === undefined) {
      this.liveEntries = RuleTable.live(rules);
      const inForce: Rule[] = [];
      for (const entry of this.liveEntries) {
        const v = RuleTable.latest(entry);
        if (v.status === 'active' && v.rule !== undefined) inForce.push(v.rule);
      }
      // Every entry's latest change counts, pauses and deletions included.
      let from = Number.NEGATIVE_INFINITY;
      for (const [, entry] of rules.immutableEntries()) {
        const v = RuleTable.latest(entry);
        if (v.since > from) from = v.since;
      }
      this.latest = RoutingPlan.of(inForce, this.indexed);
      this.latestFrom = from;
    }
    if (ts >= this.latestFrom) return this.latest;
    // An event older than the latest change: the versions in force at its own time.
    const inForce: Rule[] = [];
    for (const entry of this.liveEntries) {
      const rule = RuleTable.ruleAt(entry, ts);
      if (rule !== undefined) inForce.push(rule);
    }
    const signature = inForce.map((r) => `${r.id}@${r.version}`).join(',');
    if (this.older?.signature !== signature) {
      this.older = { signature, plan: RoutingPlan.of(inForce, this.indexed) };
    }
    return this.older.plan;
  }
}
