import { deserialize, serialize } from 'node:v8';
import {
  type CompiledNFA,
  compileNFA,
  NFA,
  type NFAState,
  type NFAStateData,
  nfaStateFromData,
  nfaStateToData,
  skipsUnmatchedEvents,
} from '../cep/nfa/index.js';
import type { OutputTag } from '../core/api/output-tag.js';
import { AbstractStreamOperator } from '../core/runtime/operators/abstract-stream-operator.js';
import type { TwoInputStreamOperator } from '../core/runtime/stream-operator.js';
import type { BroadcastState } from '../core/state/broadcast-state.js';
import type { ValueState } from '../core/state/state.js';
import { ValueStateDescriptor } from '../core/state/state-descriptor.js';
import type {
  InternalTimer,
  InternalTimerServiceImpl,
  Triggerable,
} from '../core/time/internal-timer-service.js';
import type { Alert } from './alert.js';
import { compilePatternRule } from './compile-pattern-rule.js';
import { type CompiledThresholdRule, compileThresholdRule } from './compile-threshold-rule.js';
import { conditionRequirementsOf, type FieldRequirement, meetsAll } from './condition-guards.js';
import type { GroupedEvent, LateGroupedEvent, RuleRef } from './grouped-event.js';
import { renderAlert, renderThresholdAlert } from './render-alert.js';
import { isGroupSpec, type PatternRule, type Rule } from './rule.js';
import type { RuleEvent } from './rule-event.js';
import { RULE_LIMITS } from './rule-limits.js';
import { RuleStats } from './rule-stats.js';
import { type RuleEntry, RuleTable } from './rule-table.js';
import type { RuleUpdate } from './rule-update.js';
import { type DeferSpec, deferSpecOf, dueOf, endOf, fromOf, pruneLog, type StartLog } from './start-log.js';
import type { RuleOptions } from './validate-rule.js';
import { addToAggregate, aggregateValue, compareValues, type WindowAggregate } from './window-aggregate.js';

/**
 * How a {@link RuleGroupOperator} is configured (`RulePipeline.evaluate` fills it in).
 *
 * @example
 * ```ts
 * const config: RuleGroupConfig = { options: { errors }, lateEvents: lateTag, stats };
 * ```
 */
export interface RuleGroupConfig {
  readonly options: RuleOptions;
  /** Late events (at or behind the watermark on arrival) go here instead of being only counted. */
  readonly lateEvents?: OutputTag<LateGroupedEvent> | undefined;
  /** Where late events and alerts are counted per rule (default: none kept). */
  readonly stats?: RuleStats | undefined;
  /**
   * Whether rules that qualify keep their starts in the key's shared start log until their second
   * stage can take an event (start-log.ts; default true). Off, every start opens a partial match
   * at once: the plain path the property tests compare against.
   */
  readonly deferStarts?: boolean | undefined;
}

/** One pattern rule's NFA state for one key (absent when the NFA holds nothing). */
interface PatternSlot {
  readonly id: string;
  v: number;
  s: NFAState<RuleEvent>;
  /** `nfa.nextTimeout(s)`: when time alone changes this slot. */
  t: number | undefined;
  /** The compiled version (in memory only; looked up again after a restore). */
  c?: CompiledRule | undefined;
}

/** One threshold rule's open windows for one key, by window start. */
interface WindowSlot {
  readonly id: string;
  readonly wins: Map<number, WindowAggregate>;
  /**
   * With `allowedLateness`: windows that fired and are kept for late events, by start, with how
   * many times they fired (the first firing counts 1).
   */
  fired?: Map<number, number> | undefined;
}

/** Everything one key holds: its queue, and every rule of the grouping side by side. */
interface KeyRules {
  /** Events waiting for the watermark, in arrival order (`undefined`: none). */
  q: Queue | undefined;
  /** Pattern rules with partial matches, sorted by id. */
  p: PatternSlot[];
  /** Threshold rules with open windows, sorted by id. */
  w: WindowSlot[];
  /** The registered time timer (`undefined`: none). */
  next: number | undefined;
  /** Alerts raised in the current minute of event time, per rule (for the per-key alert cap). */
  a?: Map<string, { m: number; n: number }> | undefined;
  /** Start events of deferred rules, by first-stage condition (start-log.ts; `undefined`: none). */
  d?: Map<string, StartLog> | undefined;
}

/** A rule version compiled for this operator. */
interface CompiledRule {
  readonly id: string;
  readonly version: number;
  readonly rule: Rule;
  readonly nfa: NFA<RuleEvent> | undefined;
  readonly compiledNfa: CompiledNFA<RuleEvent> | undefined;
  readonly threshold: CompiledThresholdRule | undefined;
  /** An empty NFA state to try events on for keys without partial matches (reused while it stays empty). */
  spare: NFAState<RuleEvent> | undefined;
  /**
   * What an event must have to start a match (from the first stage's condition), or `undefined`
   * when that is not known: a key without partial matches skips other events at no cost.
   */
  readonly startGuard: StartGuard | undefined;
  /** How this rule defers its starts (start-log.ts), or `undefined` when it does not. */
  readonly defer: DeferSpec | undefined;
  /** The event counter value when this rule was last fed (so strict rules are not fed twice). */
  fedAt: number;
  /** Caps per key (the rule's `limits` or the defaults). */
  readonly maxPartialMatches: number;
  readonly maxAlertsPerMinute: number;
  /**
   * An event no condition takes can still change the rule's partial matches (strict contiguity
   * breaks them, a loop or optional stage forks them): the rule must see every event of a key
   * where it holds partial matches.
   */
  readonly strict: boolean;
}

/** Events of one key waiting for the watermark, in arrival order. */
interface Queue {
  readonly ts: number[];
  readonly ev: GroupedEvent[];
}

const TIME_TIMER = 't';

/** Index of `id` in a list sorted by id, or `-(insertion point) - 1`. */
function search(list: readonly { readonly id: string }[], id: string): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid]!.id;
    if (m < id) lo = mid + 1;
    else if (m > id) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/**
 * Evaluates every rule of one grouping for one key in one place (DESIGN §6, "many rules, one
 * pass"): input 1 is {@link GroupedEvent}s keyed by their grouping key, input 2 the rule updates
 * (broadcast). Per key it keeps one event queue and, beside each other, the NFA state of each
 * pattern rule holding partial matches and the open windows of each threshold rule.
 *
 * - Events wait in the key's queue until the watermark passes them, then are taken in timestamp
 *   order (ties in arrival order). Each event goes to the rules it names (`refs`: those the rule
 *   index found could take it, with the version in force at its time) and to every strict rule
 *   holding partial matches for the key (an event no stage takes still breaks a strict run).
 *   Rules not fed an event are exactly those for which it would change nothing.
 * - Before each distinct timestamp, rules whose state changes with time alone (`within`
 *   timeouts, a trailing `notFollowedBy`) are advanced to it; one timer per key at the earliest
 *   such time (and at the earliest window end) does the same when no event comes.
 * - A ref to a version this operator has not read yet holds the key's queue from that event on
 *   until the version arrives (across processes the rules topic may lag the routed records): no
 *   race, no lost event.
 * - Events at or behind the watermark on arrival are late: counted per rule in `stats` and sent
 *   to `lateEvents` when set.
 * - Versions: a pattern rule's partial matches belong to one version; a newer version, a pause
 *   or a deletion drops them on every key. Threshold windows that end by a version switch still
 *   alert under the old version; windows ending later restart under the new one.
 *
 * @example
 * ```ts
 * grouped.keyBy(groupKeyOf).connect(updates.broadcast()) // as RulePipeline.evaluate does
 * ```
 */
export class RuleGroupOperator
  extends AbstractStreamOperator<Alert>
  implements TwoInputStreamOperator<GroupedEvent, RuleUpdate, Alert>, Triggerable<string>
{
  private rules!: BroadcastState<string, RuleEntry>;
  private keyRules!: ValueState<KeyRules>;
  /**
   * Keys with queued events and the earliest queued timestamp of each (in memory; rebuilt from the
   * keyed state on restore): a watermark drains the due ones. Cheaper than a timer per key.
   */
  private readonly pending = new Map<string, number>();
  private timers!: InternalTimerServiceImpl<string>;
  /** Compiled versions by id (a few per id at most). */
  private readonly compiled = new Map<string, CompiledRule[]>();
  private readonly keyRulesDescriptor: ValueStateDescriptor<KeyRules>;
  private readonly stats: RuleStats;
  /** Counts fed events: `CompiledRule.fedAt` equal to it means fed the current one. */
  private fedCount = 0;
  /** First-stage guards by condition source, shared by the rules that start alike. */
  private readonly startGuards = new Map<string, StartGuard>();
  /**
   * Refs resolved to their compiled version, by identity (the router hands out the same ref
   * objects while its plan stands; decoded refs miss and take the map lookups). Emptied whenever
   * an update applies, so an entry also says the ref is resolvable.
   */
  private refCompiled = new WeakMap<RuleRef, CompiledRule>();
  private readonly deferStarts: boolean;
  /** The start logs the current event went to, during feed (`fedCount`) `loggedFed`. */
  private readonly logged: StartLog[] = [];
  private loggedFed = -1;
  /** Consumption marks set during feed `marksFed` (moved past the event should it be logged after). */
  private readonly marks: [StartLog, string][] = [];
  private marksFed = -1;

  constructor(private readonly config: RuleGroupConfig) {
    super();
    this.stats = config.stats ?? new RuleStats();
    this.deferStarts = config.deferStarts ?? true;
    // Snapshots keep a key's plain form inside its key group's payload, serialized once with the
    // group (one `serialize` call per key cost twice as much); bytes per key remain readable.
    this.keyRulesDescriptor = new ValueStateDescriptor<KeyRules>('rule-group.rules', {
      serialize: (k) => new Uint8Array(serialize(this.toPlain(k))),
      deserialize: (b) => this.fromPlain(deserialize(b) as PlainKeyRules),
      toCloneable: (k) => this.toPlain(k),
      fromCloneable: (data) => this.fromPlain(data as PlainKeyRules),
    });
  }

  override open(): void | Promise<void> {
    this.rules = this.operatorStateBackend.getBroadcastState(RuleTable.descriptor);
    const backend = this.keyedBackend!;
    this.keyRules = backend.getOrCreateKeyedState(this.keyRulesDescriptor);
    this.timers = this.getInternalTimerService<string>('rule-group-timers', this);
    backend.applyToAllKeys('', this.keyRulesDescriptor, (key, state) => {
      const q = state.value()?.q;
      if (q !== undefined && q.ts.length > 0) this.pending.set(key as string, earliestOf(q.ts));
    });
    return super.open();
  }

  processElement1(value: GroupedEvent, timestamp: number): void {
    this.keyedBackend!.setCurrentKey(value.key);
    if (timestamp <= this.currentWatermark) {
      this.processLate(value, timestamp);
      return;
    }
    const k = this.keyRules.value();
    const pending = this.pending.get(value.key);
    if (pending === undefined || timestamp < pending) this.pending.set(value.key, timestamp);
    if (k === undefined) {
      this.keyRules.update({ q: { ts: [timestamp], ev: [value] }, p: [], w: [], next: undefined });
      return;
    }
    // The heap backend hands out the stored object: changing it needs no write back.
    if (k.q === undefined) k.q = { ts: [timestamp], ev: [value] };
    else {
      k.q.ts.push(timestamp);
      k.q.ev.push(value);
    }
  }

  /**
   * An event at or behind the watermark: threshold rules still take it into windows not ended
   * yet or kept for their `allowedLateness` (re-firing those that fired); for every other rule, and
   * for thresholds whose windows are all gone, it is late
   * (counted, and sent to the late output naming those rules).
   */
  private processLate(value: GroupedEvent, timestamp: number): void {
    const watermark = this.currentWatermark;
    let lateRefs: RuleRef[] | undefined;
    let k: KeyRules | undefined;
    for (const ref of value.refs) {
      const c = this.compiledOf(ref.id, ref.version);
      // Windows decide lateness per window (Flink's WindowOperator): one not ended yet, or kept for
      // `allowedLateness`, still takes the event.
      if (c?.threshold !== undefined) {
        k ??= this.keyRules.value() ?? { q: undefined, p: [], w: [], next: undefined };
        if (this.feedThreshold(k, c, value.event, timestamp, watermark)) continue;
      }
      this.stats.late(ref.id);
      lateRefs ??= [];
      lateRefs.push(ref);
    }
    if (k !== undefined) {
      this.fireWindows(k, watermark);
      this.store(k);
    }
    const tag = this.config.lateEvents;
    if (tag !== undefined && lateRefs !== undefined) {
      const grouped = lateRefs.length === value.refs.length ? value : { ...value, refs: lateRefs };
      this.output.collectSide(tag, { grouped, watermark }, timestamp);
    }
  }

  /** Drains the keys whose queued events the watermark passes, then fires timers and forwards it. */
  override processWatermark(watermark: number): void {
    if (watermark <= this.currentWatermark) return;
    if (this.pending.size > 0) {
      const previous = this.currentWatermark;
      // Event time is `watermark` while the keys drain (timers set now are after it).
      this.currentWatermark = watermark;
      try {
        this.drainPending(watermark);
      } finally {
        this.currentWatermark = previous;
      }
    }
    super.processWatermark(watermark);
  }

  private drainPending(watermark: number): void {
    const backend = this.keyedBackend!;
    for (const [key, earliest] of this.pending) {
      if (earliest > watermark) continue;
      backend.setCurrentKey(key);
      const k = this.keyRules.value();
      const q = k?.q;
      if (k === undefined || q === undefined) {
        this.pending.delete(key);
        continue;
      }
      if (this.drain(q, k, watermark)) this.pending.set(key, earliestOf(q.ts));
      else {
        k.q = undefined;
        this.pending.delete(key);
      }
      this.advance(k, watermark);
      this.fireWindows(k, watermark);
      this.store(k);
    }
  }

  processElement2(update: RuleUpdate, timestamp: number): void {
    const watermark = this.currentWatermark;
    const since = Number.isFinite(timestamp) ? timestamp : watermark;
    const change = RuleTable.apply(this.rules, update, since, watermark, this.config.options);
    if (change.outcome !== 'applied') return;
    this.refCompiled = new WeakMap();
    // Keys held for this version can go on now (for the events the watermark has passed).
    if (this.pending.size > 0) this.drainPending(watermark);
    const { id, entry } = change;
    if (entry.versions.length <= 1 && !this.compiled.has(id)) return; // a new rule: no state anywhere yet
    const latest = RuleTable.latest(entry);
    this.compiled.set(
      id,
      (this.compiled.get(id) ?? []).filter((c) => RuleTable.find(entry, c.version) !== undefined),
    );
    // Drop on every key what can no longer alert: partial matches of other versions than the
    // latest active one, windows whose version stopped before they end.
    this.keyedBackend!.applyToAllKeys('', this.keyRulesDescriptor, (_key, state) => {
      const k = state.value();
      if (k === undefined) return;
      let changed = false;
      // Starts logged before the update are not the new version's (nor, for in-flight events, the
      // old one's: eager evaluation drops its partial matches here).
      if (k.d !== undefined) {
        for (const log of k.d.values()) {
          if (log.ts.length === 0) continue;
          log.m ??= new Map();
          log.m.set(id, endOf(log));
          changed = true;
        }
      }
      const pi = search(k.p, id);
      if (pi >= 0 && (latest.status !== 'active' || k.p[pi]!.v !== latest.version)) {
        k.p.splice(pi, 1);
        changed = true;
      }
      const wi = search(k.w, id);
      if (wi >= 0) {
        const wins = k.w[wi]!.wins;
        for (const [start, acc] of [...wins]) if (!canAlert(entry, acc)) wins.delete(start);
        if (wins.size === 0) k.w.splice(wi, 1);
        changed = true;
      }
      if (!changed) return;
      if (isEmpty(k)) state.clear();
      else state.update(k);
    });
  }

  onEventTime(_timer: InternalTimer<string>): void {
    const watermark = this.currentWatermark;
    const k = this.keyRules.value();
    if (k === undefined) return;
    k.next = undefined;
    this.advance(k, watermark);
    this.fireWindows(k, watermark);
    this.store(k);
  }

  onProcessingTime(_timer: InternalTimer<string>): void {}

  /**
   * Partial matches held now per rule id over every key of this subtask. Walks the keyed state
   * (no count is kept per event): call it at scrape time, between records (the task is
   * single-threaded, so any callback is).
   *
   * @example
   * ```ts
   * operator.partialMatchesByPattern(); // Map { 'card-testing' => 12 }
   * ```
   */
  partialMatchesByPattern(): Map<string, number> {
    const counts = new Map<string, number>();
    const deferring = this.deferringBySource();
    const watermark = this.currentWatermark;
    this.keyedBackend!.applyToAllKeys(
      '',
      this.keyRulesDescriptor,
      (_key, state) => {
        const k = state.value();
        if (k === undefined) return;
        for (const slot of k.p) {
          const c = slot.c ?? this.slotRule(slot);
          if (c?.nfa !== undefined)
            counts.set(slot.id, (counts.get(slot.id) ?? 0) + c.nfa.partialMatchCount(slot.s));
        }
        if (k.d === undefined) return;
        // A deferring rule's partial matches are the logged starts it may still build on.
        for (const [source, log] of k.d) {
          for (const c of deferring.get(source) ?? []) {
            if (search(k.p, c.id) >= 0) continue;
            let n = 0;
            for (let j = fromOf(log, c.id) - log.b; j < log.ts.length; j++) {
              const t = log.ts[j]!;
              if (t + c.defer!.life > watermark && this.isLive(c, t)) n++;
            }
            if (n > 0) counts.set(c.id, (counts.get(c.id) ?? 0) + n);
          }
        }
      },
      true,
    );
    return counts;
  }

  /**
   * The latest active version of every deferring rule, by the first-stage condition it logs under.
   * Only versions compiled already (a metric compiles nothing): a rule logs its starts once it ran
   * here, so only right after a restore, until its first event, are its logged starts not counted.
   */
  private deferringBySource(): Map<string, CompiledRule[]> {
    const bySource = new Map<string, CompiledRule[]>();
    for (const [id, entry] of this.rules.entries()) {
      const latest = RuleTable.latest(entry);
      if (latest.status !== 'active' || latest.rule?.kind !== 'pattern') continue;
      const c = this.compiled.get(id)?.find((x) => x.version === latest.version);
      if (c?.defer === undefined) continue;
      const list = bySource.get(c.defer.source);
      if (list === undefined) bySource.set(c.defer.source, [c]);
      else list.push(c);
    }
    return bySource;
  }

  /** The time of a timer that fires at the next watermark advance. */
  private afterWatermark(): number {
    const w = this.currentWatermark;
    return w + 1 > w ? w + 1 : w;
  }

  /**
   * Feeds the due events of `q` to the key's rules in timestamp order (ties: arrival); stops at an
   * event naming a rule version not read yet. Returns whether events remain queued.
   */
  private drain(q: Queue, k: KeyRules, watermark: number): boolean {
    const { ts, ev } = q;
    const n = ts.length;
    let sorted = true;
    for (let i = 1; sorted && i < n; i++) if (ts[i]! < ts[i - 1]!) sorted = false;
    if (sorted) {
      // The usual case (the router emits in time order): the due events are a prefix.
      let done = 0;
      let last = Number.NaN;
      for (; done < n; done++) {
        const t = ts[done]!;
        if (t > watermark) break;
        const g = ev[done]!;
        if (!this.resolvable(g.refs)) break;
        if (t !== last) {
          this.advance(k, t);
          last = t;
        }
        this.feed(k, g, t);
      }
      if (done === n) {
        ts.length = 0;
        ev.length = 0;
        return false;
      }
      if (done > 0) {
        ts.splice(0, done);
        ev.splice(0, done);
      }
      return true;
    }
    const order: number[] = [];
    for (let i = 0; i < n; i++) if (ts[i]! <= watermark) order.push(i);
    order.sort((a, b) => ts[a]! - ts[b]! || a - b);
    let done = 0;
    let last = Number.NaN;
    for (; done < order.length; done++) {
      const i = order[done]!;
      const g = ev[i]!;
      if (!this.resolvable(g.refs)) break;
      const t = ts[i]!;
      if (t !== last) {
        this.advance(k, t);
        last = t;
      }
      this.feed(k, g, t);
    }
    if (done === 0) return n > 0;
    const taken = new Set<number>();
    for (let j = 0; j < done; j++) taken.add(order[j]!);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (taken.has(i)) continue;
      ts[kept] = ts[i]!;
      ev[kept] = ev[i]!;
      kept++;
    }
    ts.length = kept;
    ev.length = kept;
    return kept > 0;
  }

  /** Whether every ref names a version this operator has read (older ones count: they are skipped). */
  private resolvable(refs: readonly RuleRef[]): boolean {
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!;
      if (this.refCompiled.has(r)) continue;
      const entry = this.rules.get(r.id);
      if (entry === undefined || RuleTable.latest(entry).version < r.version) return false;
    }
    return true;
  }

  /** One event to the rules it names and to the strict rules holding partial matches. */
  private feed(k: KeyRules, g: GroupedEvent, ts: number): void {
    const refs = g.refs;
    const event = g.event;
    const fed = ++this.fedCount;
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i]!;
      let c = this.refCompiled.get(ref);
      if (c === undefined) {
        c = this.compiledOf(ref.id, ref.version);
        if (c === undefined) continue;
        this.refCompiled.set(ref, c);
      }
      c.fedAt = fed;
      if (c.nfa !== undefined) this.feedPattern(k, c, event, ts, g.key);
      else if (c.threshold !== undefined) this.feedThreshold(k, c, event, ts);
    }
    // Strict rules see every event of their key while they hold partial matches.
    for (let i = 0; i < k.p.length; i++) {
      const slot = k.p[i]!;
      const c = slot.c ?? this.slotRule(slot);
      if (c === undefined || !c.strict || c.fedAt === fed) continue;
      this.processSlot(k, i, c, event, ts, g.key);
      if (k.p[i] !== slot) i--; // emptied and removed
    }
  }

  /** The compiled rule of a slot, remembered on it. */
  private slotRule(slot: PatternSlot): CompiledRule | undefined {
    const c = this.compiledOf(slot.id, slot.v);
    slot.c = c;
    return c;
  }

  private feedPattern(k: KeyRules, c: CompiledRule, event: RuleEvent, ts: number, key: string): void {
    const i = search(k.p, c.id);
    if (i >= 0) {
      const slot = k.p[i]!;
      if (slot.v > c.version) return; // routed under a version replaced since
      if (slot.v < c.version) {
        slot.v = c.version;
        slot.s = c.nfa!.createInitialState();
        slot.t = undefined;
        slot.c = c;
      }
    } else {
      if (c.defer !== undefined) {
        this.feedDeferred(k, c, c.defer, event, ts, key);
        return;
      }
      if (c.startGuard !== undefined && !startMeets(c.startGuard, event)) return;
      if (!this.isLive(c, ts)) return;
      this.startEagerly(k, -i - 1, c, event, ts, key);
      return;
    }
    this.processSlot(k, i, c, event, ts, key);
  }

  /**
   * No partial match for this key: runs the event on the rule's spare empty state, and keeps a
   * slot (at `at`) only if the event started something (most events start nothing: no allocation
   * then).
   */
  private startEagerly(
    k: KeyRules,
    at: number,
    c: CompiledRule,
    event: RuleEvent,
    ts: number,
    key: string,
  ): void {
    const s = this.runSpare(k, c, event, ts, key);
    if (s === undefined) return;
    k.p.splice(at, 0, { id: c.id, v: c.version, s, t: undefined, c });
    this.settle(k, at, c);
  }

  /**
   * Runs the event on the rule's spare empty state: the state if the event started something
   * (the spare is then used up), else `undefined` (the spare stays for the next event).
   */
  private runSpare(
    k: KeyRules,
    c: CompiledRule,
    event: RuleEvent,
    ts: number,
    key: string,
  ): NFAState<RuleEvent> | undefined {
    const nfa = c.nfa!;
    const spare = c.spare ?? nfa.createInitialState();
    const matches = nfa.process(spare, event, ts);
    for (let j = 0; j < matches.length; j++) this.emit(k, c, renderAlert(c.rule, matches[j]!, key), ts);
    if (nfa.isStateEmpty(spare)) {
      c.spare = spare;
      return undefined;
    }
    c.spare = undefined;
    return spare;
  }

  /**
   * A deferring rule without a partial match on this key (start-log.ts): an event its second stage
   * could take first builds the rule's state from the logged starts; a start alone only goes to the
   * key's log, shared by the rules with the same first stage.
   */
  private feedDeferred(
    k: KeyRules,
    c: CompiledRule,
    d: DeferSpec,
    event: RuleEvent,
    ts: number,
    key: string,
  ): void {
    const log = k.d?.get(d.source);
    const takesNext = d.next === undefined || meetsAll(event, d.next);
    if (takesNext && log !== undefined) {
      // The current event may be logged already (by a rule of the same start fed before this one).
      const end = endOf(log) - (this.isLastLogged(log) ? 1 : 0);
      if (end > fromOf(log, c.id)) {
        const i = this.materialize(k, c, log, end, key);
        if (i >= 0) {
          this.processSlot(k, i, c, event, ts, key);
          return;
        }
      }
    }
    if (!startMeets(c.startGuard!, event) || !this.isLive(c, ts)) return;
    if (takesNext) {
      this.startEagerly(k, -search(k.p, c.id) - 1, c, event, ts, key);
      return;
    }
    if (!this.starts(k, c, event, ts, key)) return;
    let l = log;
    if (l === undefined) {
      l = { b: 0, ts: [], ev: [], keep: d.life, m: undefined };
      k.d ??= new Map();
      k.d.set(d.source, l);
    }
    if (!this.isLastLogged(l)) this.append(l, event, ts);
    if (d.life > l.keep) l.keep = d.life;
    // The eager state would hold one partial match per start: past the cap it goes as it would.
    if (endOf(l) - fromOf(l, c.id) > c.maxPartialMatches) this.materialize(k, c, l, endOf(l), key);
  }

  /**
   * Whether `event` starts a partial match of `c` (live at `ts`, first stage met): evaluated once
   * per event for all the rules with the same first stage (the same condition gives the same
   * answer, and a true one records no error).
   */
  private starts(k: KeyRules, c: CompiledRule, event: RuleEvent, ts: number, key: string): boolean {
    const guard = c.startGuard!;
    if (guard.startedFed === this.fedCount) return true;
    if (this.runSpare(k, c, event, ts, key) === undefined) return false;
    guard.startedFed = this.fedCount;
    return true;
  }

  /**
   * Builds rule `c`'s state on this key from the log's entries it may use before `end`, as eager
   * evaluation would have built it entry by entry (timeouts, caps), and keeps it as a slot when it
   * holds something. Returns the slot's index, or -1.
   */
  private materialize(k: KeyRules, c: CompiledRule, log: StartLog, end: number, key: string): number {
    const nfa = c.nfa!;
    let s = nfa.createInitialState();
    for (let j = fromOf(log, c.id) - log.b, n = end - log.b; j < n; j++) {
      const t = log.ts[j]!;
      if (!this.isLive(c, t)) continue;
      const { matches: due } = nfa.advanceTime(s, t);
      for (let x = 0; x < due.length; x++) this.emit(k, c, renderAlert(c.rule, due[x]!, key), t);
      const matches = nfa.process(s, log.ev[j]!, t);
      for (let x = 0; x < matches.length; x++) this.emit(k, c, renderAlert(c.rule, matches[x]!, key), t);
      if (s.partialMatches.length > c.maxPartialMatches) {
        const count = nfa.partialMatchCount(s);
        if (count > c.maxPartialMatches) {
          this.stats.dropped(
            c.id,
            'partialMatches',
            count,
            `more than ${c.maxPartialMatches} partial matches for one key`,
          );
          s = nfa.createInitialState();
        }
      }
    }
    this.mark(log, c.id, end);
    if (nfa.isStateEmpty(s)) return -1;
    const i = -search(k.p, c.id) - 1;
    k.p.splice(i, 0, { id: c.id, v: c.version, s, t: nfa.nextTimeout(s), c });
    return i;
  }

  /** Whether the current event is the last entry of `log`. */
  private isLastLogged(log: StartLog): boolean {
    return this.loggedFed === this.fedCount && this.logged.includes(log);
  }

  /** Logs the current event; rules that took it during this feed are marked past it. */
  private append(log: StartLog, event: RuleEvent, ts: number): void {
    const before = endOf(log);
    log.ts.push(ts);
    log.ev.push(event);
    if (this.loggedFed !== this.fedCount) {
      this.logged.length = 0;
      this.loggedFed = this.fedCount;
    }
    this.logged.push(log);
    if (this.marksFed !== this.fedCount) return;
    for (const [l, id] of this.marks) if (l === log && log.m?.get(id) === before) log.m.set(id, before + 1);
  }

  /** Rule `id` builds on no entry of `log` before `end`. */
  private mark(log: StartLog, id: string, end: number): void {
    if (end <= log.b) {
      log.m?.delete(id);
      return;
    }
    log.m ??= new Map();
    log.m.set(id, end);
    if (this.marksFed !== this.fedCount) {
      this.marks.length = 0;
      this.marksFed = this.fedCount;
    }
    this.marks.push([log, id]);
  }

  /** A deferring rule's partial matches on this key ended: it builds on no earlier start. */
  private slotGone(k: KeyRules, c: CompiledRule): void {
    const d = c.defer;
    if (d === undefined) return;
    const log = k.d?.get(d.source);
    if (log !== undefined) this.mark(log, c.id, endOf(log));
  }

  /** Runs one event through slot `i`; removes the slot when its NFA is left empty. */
  private processSlot(
    k: KeyRules,
    i: number,
    c: CompiledRule,
    event: RuleEvent,
    ts: number,
    key: string,
  ): void {
    const slot = k.p[i]!;
    const nfa = c.nfa!;
    const matches = nfa.process(slot.s, event, ts);
    for (let j = 0; j < matches.length; j++) this.emit(k, c, renderAlert(c.rule, matches[j]!, key), ts);
    this.settle(k, i, c);
  }

  /** After a slot changed: keeps the partial-match count and its timeout, drops it when empty. */
  private settle(k: KeyRules, i: number, c: CompiledRule): void {
    const slot = k.p[i]!;
    const nfa = c.nfa!;
    if (nfa.isStateEmpty(slot.s)) {
      k.p.splice(i, 1);
      this.slotGone(k, c);
      return;
    }
    // The run list's length bounds the partial matches (the start run included): a cheap check.
    if (slot.s.partialMatches.length > c.maxPartialMatches) {
      const n = nfa.partialMatchCount(slot.s);
      if (n > c.maxPartialMatches) {
        k.p.splice(i, 1);
        this.slotGone(k, c);
        this.stats.dropped(
          c.id,
          'partialMatches',
          n,
          `more than ${c.maxPartialMatches} partial matches for one key`,
        );
        return;
      }
    }
    slot.t = nfa.nextTimeout(slot.s);
  }

  /**
   * Adds an event to a threshold rule's windows. `lateBehind`: the event is behind this watermark
   * (allowed lateness): only windows kept until after it take it. Returns whether any did (or the
   * rule's filter skipped the event, which is not lateness).
   */
  private feedThreshold(
    k: KeyRules,
    c: CompiledRule,
    event: RuleEvent,
    ts: number,
    lateBehind = Number.NEGATIVE_INFINITY,
  ): boolean {
    const t = c.threshold!;
    // Windows this event may count in under its version: those ending by the next version's start.
    const entry = this.rules.get(c.id)!;
    const version = RuleTable.find(entry, c.version);
    if (version?.status !== 'active') return true;
    const endBy = RuleTable.validUntil(entry, c.version) ?? Number.NEGATIVE_INFINITY;
    if (ts >= endBy) return true;
    if (!t.accepts(event)) return true;
    const value = t.valueOf(event);
    if (value === undefined) return true;
    let taken = false;
    let wi = search(k.w, c.id);
    if (wi < 0) {
      wi = -wi - 1;
      k.w.splice(wi, 0, { id: c.id, wins: new Map() });
    }
    const slot = k.w[wi]!;
    const wins = slot.wins;
    for (const w of t.assigner.assignWindows(event, ts, this.assignerContext)) {
      if (w.end > endBy) continue; // the next version starts this window afresh
      // Late: only a window kept past the watermark (its end + allowed lateness) takes it.
      if (w.end - 1 + t.latenessMs <= lateBehind) continue;
      let acc = wins.get(w.start);
      if (acc !== undefined && acc.v !== c.version) {
        if (acc.v > c.version) continue;
        acc = undefined;
      }
      wins.set(w.start, addToAggregate(acc, c.version, w.start, w.end, event, ts, value));
      const fired = slot.fired?.get(w.start);
      if (fired !== undefined) slot.fired!.set(w.start, -Math.abs(fired)); // fires again
      taken = true;
    }
    if (wins.size === 0) k.w.splice(wi, 1);
    return taken;
  }

  private readonly assignerContext = {
    getCurrentProcessingTime: (): number => this.params.processingTimeService.getCurrentProcessingTime(),
  };

  /** Advances every slot whose state changes by `time` (timeouts, trailing `notFollowedBy`). */
  private advance(k: KeyRules, time: number): void {
    if (k.d !== undefined) {
      for (const [source, log] of k.d) if (!pruneLog(log, time)) k.d.delete(source);
      if (k.d.size === 0) k.d = undefined;
    }
    for (let i = 0; i < k.p.length; i++) {
      const slot = k.p[i]!;
      if (slot.t === undefined || slot.t > time) continue;
      const c = slot.c ?? this.slotRule(slot);
      if (c === undefined) {
        k.p.splice(i--, 1);
        continue;
      }
      const { matches, timedOut } = c.nfa!.advanceTime(slot.s, time);
      const key = this.keyedBackend!.getCurrentKey() as string;
      for (let j = 0; j < matches.length; j++) this.emit(k, c, renderAlert(c.rule, matches[j]!, key), time);
      if (c.rule.kind === 'pattern' && c.rule.timeoutAlert !== undefined) {
        for (let j = 0; j < timedOut.length; j++) {
          const [match, at] = timedOut[j]!;
          this.emit(k, c, renderAlert(c.rule, match, key, { timedOut: true }), at);
        }
      }
      this.settle(k, i, c);
      if (k.p[i] !== slot) i--;
    }
  }

  /** Emits and drops the windows that ended by `watermark`. */
  private fireWindows(k: KeyRules, watermark: number): void {
    const key = this.keyedBackend!.getCurrentKey() as string;
    for (let i = 0; i < k.w.length; i++) {
      const slot = k.w[i]!;
      const entry = this.rules.get(slot.id);
      for (const [start, acc] of slot.wins) {
        if (acc.end - 1 > watermark) continue;
        const c = this.compiledOf(slot.id, acc.v);
        const lateness = c?.threshold?.latenessMs ?? 0;
        // fired: undefined (not yet), n > 0 (n times, nothing new), -n (n times, a late event since).
        const fired = slot.fired?.get(start);
        const due = fired === undefined || fired < 0;
        if (lateness === 0 || acc.end - 1 + lateness <= watermark) {
          slot.wins.delete(start);
          slot.fired?.delete(start);
        } else {
          slot.fired ??= new Map();
          slot.fired.set(start, fired === undefined ? 1 : Math.abs(fired) + (fired < 0 ? 1 : 0));
        }
        if (!due || entry === undefined || !canAlert(entry, acc)) continue;
        if (c?.threshold === undefined) continue;
        const rule = c.threshold.rule;
        const value = aggregateValue(acc, rule.aggregate);
        if (compareValues(value, rule.compare.op, rule.compare.value)) {
          const lateFiring = fired === undefined ? 0 : Math.abs(fired);
          this.emit(
            k,
            c,
            renderThresholdAlert(
              rule,
              key,
              { start: acc.start, end: acc.end, value, count: acc.n, last: acc.last },
              lateFiring,
            ),
            acc.end - 1,
          );
        }
      }
      if (slot.fired?.size === 0) slot.fired = undefined;
      if (slot.wins.size === 0) k.w.splice(i--, 1);
    }
  }

  /** Writes the key's rules back (or clears them) and keeps one time timer at the earliest due time. */
  private store(k: KeyRules): void {
    let next: number | undefined;
    for (const slot of k.p) if (slot.t !== undefined && (next === undefined || slot.t < next)) next = slot.t;
    for (const slot of k.w) {
      for (const [start, acc] of slot.wins) {
        // A window that fired and is kept for late events is due again when its lateness ends.
        const due =
          slot.fired?.has(start) === true ? acc.end - 1 + this.latenessOf(slot.id, acc.v) : acc.end - 1;
        if (next === undefined || due < next) next = due;
      }
    }
    if (k.d !== undefined) {
      for (const log of k.d.values()) {
        const due = dueOf(log);
        if (due !== undefined && (next === undefined || due < next)) next = due;
      }
    }
    if (next !== undefined) next = Math.max(next, this.afterWatermark());
    if (k.next !== next) {
      if (k.next !== undefined) this.timers.deleteEventTimeTimer(TIME_TIMER, k.next);
      if (next !== undefined) this.timers.registerEventTimeTimer(TIME_TIMER, next);
      k.next = next;
    }
    if (k.a !== undefined) {
      // Counters of past minutes are done with (event time only moves on per key).
      const minute = Math.floor(this.currentWatermark / 60_000);
      for (const [id, counter] of k.a) if (counter.m < minute) k.a.delete(id);
      if (k.a.size === 0) k.a = undefined;
    }
    if (isEmpty(k)) this.keyRules.clear();
    else this.keyRules.update(k);
  }

  private latenessOf(id: string, version: number): number {
    return this.compiledOf(id, version)?.threshold?.latenessMs ?? 0;
  }

  /** Emits an alert of `c` for the current key, unless the key is over the rule's alert cap. */
  private emit(k: KeyRules, c: CompiledRule, alert: Alert, timestamp: number): void {
    const minute = Math.floor(timestamp / 60_000);
    k.a ??= new Map();
    let counter = k.a.get(c.id);
    if (counter === undefined || counter.m !== minute) {
      counter = { m: minute, n: 0 };
      k.a.set(c.id, counter);
    }
    if (counter.n >= c.maxAlertsPerMinute) {
      this.stats.dropped(c.id, 'alerts', 1, `more than ${c.maxAlertsPerMinute} alerts per key per minute`);
      return;
    }
    counter.n++;
    this.stats.alert(alert.ruleId);
    this.output.collect(alert, timestamp);
  }

  /** Whether a pattern version may start a match at `ts` (active, and its version in force then). */
  private isLive(c: CompiledRule, ts: number): boolean {
    const entry = this.rules.get(c.id);
    if (entry === undefined) return false;
    const latest = RuleTable.latest(entry);
    if (latest.version !== c.version) return RuleTable.ruleAt(entry, ts) === c.rule;
    return latest.status === 'active';
  }

  /** The compiled version `version` of rule `id`, compiled on first use; `undefined` if not kept or not active. */
  private compiledOf(id: string, version: number): CompiledRule | undefined {
    const list = this.compiled.get(id);
    if (list !== undefined)
      for (let i = 0; i < list.length; i++) if (list[i]!.version === version) return list[i];
    const entry = this.rules.get(id);
    const v = entry === undefined ? undefined : RuleTable.find(entry, version);
    if (v?.rule === undefined) return undefined;
    let c: CompiledRule;
    try {
      c = this.compile(v.rule);
    } catch {
      return undefined; // the table validated it; a definition that fails here is not run
    }
    if (list === undefined) this.compiled.set(id, [c]);
    else list.push(c);
    return c;
  }

  private compile(rule: Rule): CompiledRule {
    const options = this.config.options;
    if (rule.kind === 'threshold') {
      return {
        id: rule.id,
        version: rule.version,
        rule,
        nfa: undefined,
        compiledNfa: undefined,
        spare: undefined,
        startGuard: undefined,
        defer: undefined,
        fedAt: -1,
        ...capsOf(rule),
        threshold: compileThresholdRule(rule, options),
        strict: false,
      };
    }
    const compiledNfa = compileNFA(compilePatternRule(rule, options));
    const pts = this.params.processingTimeService;
    const startGuard = startGuardOf(rule, this.startGuards);
    const strict = !skipsUnmatchedEvents(compiledNfa);
    return {
      id: rule.id,
      version: rule.version,
      rule,
      nfa: new NFA<RuleEvent>(compiledNfa, { processingTime: () => pts.getCurrentProcessingTime() }),
      compiledNfa,
      spare: undefined,
      startGuard,
      defer: this.deferStarts && startGuard !== undefined ? deferSpecOf(rule, strict) : undefined,
      fedAt: -1,
      ...capsOf(rule),
      threshold: undefined,
      strict,
    };
  }

  /**
   * A key's plain form for snapshots (serialized within the snapshot, before anything changes).
   * Events shared by several rules' partial matches (the same object in their buffers) are written
   * once. Slots as flat tuples: a checkpoint writes every key touched since the previous one, and
   * keys hold tens of slots (one per rule with partial matches), so property names repeated per
   * slot and per run would be most of the bytes.
   */
  private toPlain(k: KeyRules): PlainKeyRules {
    const p: SlotTuple[] = [];
    for (const slot of k.p) {
      const c = this.compiledOf(slot.id, slot.v);
      if (c?.compiledNfa !== undefined) p.push(slotTuple(slot, nfaStateToData(c.compiledNfa, slot.s)));
    }
    return { f: SLOT_FORMAT, q: k.q, p, w: k.w, next: k.next, a: k.a, d: k.d };
  }

  private fromPlain(data: PlainKeyRules): KeyRules {
    const p: PatternSlot[] = [];
    for (const entry of data.p) {
      // Before the flat tuples (no `f`), slots were objects holding `nfaStateToData`.
      const e = Array.isArray(entry) ? slotOfTuple(entry) : entry;
      const c = this.compiledOf(e.id, e.v);
      if (c?.compiledNfa === undefined) continue; // a version that no longer compiles: its matches go
      const s = nfaStateFromData(c.compiledNfa, e.s);
      p.push({ id: e.id, v: e.v, s, t: e.t });
    }
    return { q: data.q, p, w: data.w, next: data.next, a: data.a, d: data.d };
  }
}

/** A key's {@link KeyRules} as snapshots hold it. */
interface PlainKeyRules {
  f?: number;
  q: Queue | undefined;
  p: Array<SlotTuple | { id: string; v: number; s: NFAStateData<RuleEvent>; t: number | undefined }>;
  w: WindowSlot[];
  next: number | undefined;
  a?: Map<string, { m: number; n: number }> | undefined;
  d?: Map<string, StartLog> | undefined;
}

/** The format of {@link SlotTuple}s in a key's snapshot. */
const SLOT_FORMAT = 2;

/**
 * A pattern slot in a snapshot: id, version, next timeout, the buffer's next event id, the runs
 * (4 values each: state name, start and previous timestamps, start event id; the partial matches
 * first, `partial` of them, then the completed ones), the buffer's events (3 each: id, event,
 * timestamp), its nodes (4 each: id, stage, event id, previous node) and the runs' last nodes.
 */
type SlotTuple = [
  id: string,
  v: number,
  t: number | undefined,
  nextEventId: number,
  runs: (string | number | null)[],
  partial: number,
  events: unknown[],
  nodes: (string | number | null)[],
  roots: (number | null)[],
];

function slotTuple(slot: PatternSlot, data: NFAStateData<RuleEvent>): SlotTuple {
  const runs: (string | number | null)[] = [];
  for (const r of data.partialMatches)
    runs.push(r.state, r.startTimestamp, r.previousTimestamp, r.startEventId);
  for (const r of data.completedMatches)
    runs.push(r.state, r.startTimestamp, r.previousTimestamp, r.startEventId);
  const b = data.buffer;
  const events: unknown[] = [];
  for (const [id, event, ts] of b.events) events.push(id, event, ts);
  const nodes: (string | number | null)[] = [];
  for (const [id, stage, eventId, previous] of b.nodes) nodes.push(id, stage, eventId, previous);
  return [slot.id, slot.v, slot.t, b.nextEventId, runs, data.partialMatches.length, events, nodes, b.roots];
}

function slotOfTuple(tuple: SlotTuple): {
  id: string;
  v: number;
  s: NFAStateData<RuleEvent>;
  t: number | undefined;
} {
  const [id, v, t, nextEventId, runs, partial, events, nodes, roots] = tuple;
  const all: NFAStateData<RuleEvent>['partialMatches'] = [];
  for (let i = 0; i < runs.length; i += 4) {
    all.push({
      state: runs[i] as string,
      startTimestamp: runs[i + 1] as number,
      previousTimestamp: runs[i + 2] as number,
      startEventId: runs[i + 3] as number | null,
    });
  }
  const bufferEvents: NFAStateData<RuleEvent>['buffer']['events'] = [];
  for (let i = 0; i < events.length; i += 3)
    bufferEvents.push([events[i] as number, events[i + 1] as RuleEvent, events[i + 2] as number]);
  const bufferNodes: NFAStateData<RuleEvent>['buffer']['nodes'] = [];
  for (let i = 0; i < nodes.length; i += 4)
    bufferNodes.push([
      nodes[i] as number,
      nodes[i + 1] as string,
      nodes[i + 2] as number,
      nodes[i + 3] as number | null,
    ]);
  return {
    id,
    v,
    t,
    s: {
      version: 2,
      partialMatches: all.slice(0, partial),
      completedMatches: all.slice(partial),
      buffer: { nextEventId, events: bufferEvents, nodes: bufferNodes, roots },
    },
  };
}

/** The smallest of a queue's timestamps (a loop: a queue may be long). */
function earliestOf(ts: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ts.length; i++) if (ts[i]! < min) min = ts[i]!;
  return min;
}

/** Whether a key holds nothing (its state can go). */
function isEmpty(k: KeyRules): boolean {
  return k.q === undefined && k.p.length === 0 && k.w.length === 0 && k.a === undefined && k.d === undefined;
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

/**
 * What an event must carry to be taken by the first stage of `rule` (its guard), when every match
 * must start there: not for an optional first stage, a group, or a loop that may take nothing.
 */
function startGuardOf(rule: PatternRule, shared: Map<string, StartGuard>): StartGuard | undefined {
  const first = rule.stages[0];
  if (first === undefined || isGroupSpec(first) || first.optional === true) return undefined;
  if (first.quantifier !== undefined && (first.quantifier.from ?? 1) < 1) return undefined;
  if (first.condition === undefined) return undefined;
  let guard = shared.get(first.condition);
  if (guard === undefined) {
    const reqs = conditionRequirementsOf(first.condition);
    if (reqs.length === 0) return undefined;
    guard = { reqs, last: undefined, meets: false, startedFed: -1 };
    // Bounded across rule changes: compiled rules keep the guards they hold.
    if (shared.size >= 10_000) shared.clear();
    shared.set(first.condition, guard);
  }
  return guard;
}

/**
 * The requirements of a first stage, shared by the rules whose first stage has the same condition
 * (risk rules often start alike), with the answer for the last event asked about: checked once per
 * event, not once per rule.
 */
interface StartGuard {
  readonly reqs: readonly FieldRequirement[];
  last: RuleEvent | undefined;
  meets: boolean;
  /** The feed (`fedCount`) in which a deferring rule of this first stage found the event starts it. */
  startedFed: number;
}

/** Whether `event` may meet the guard (events are never changed once parsed: the same object, the same answer). */
function startMeets(guard: StartGuard, event: RuleEvent): boolean {
  if (guard.last !== event) {
    guard.meets = meetsAll(event, guard.reqs);
    guard.last = event;
  }
  return guard.meets;
}

/** The caps of a rule: its own `limits`, else the defaults. */
function capsOf(rule: Rule): { maxPartialMatches: number; maxAlertsPerMinute: number } {
  return {
    maxPartialMatches: rule.limits?.maxPartialMatchesPerKey ?? RULE_LIMITS.defaultMaxPartialMatchesPerKey,
    maxAlertsPerMinute: rule.limits?.maxAlertsPerKeyPerMinute ?? RULE_LIMITS.defaultMaxAlertsPerKeyPerMinute,
  };
}
