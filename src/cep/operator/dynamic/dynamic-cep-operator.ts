import { deserialize, serialize } from 'node:v8';
import type { KeySelector } from '../../../core/api/functions.js';
import type { OutputTag } from '../../../core/api/output-tag.js';
import { AbstractUdfStreamOperator } from '../../../core/runtime/operators/abstract-udf-stream-operator.js';
import { TimestampedCollector } from '../../../core/runtime/operators/timestamped-collector.js';
import type { TwoInputStreamOperator } from '../../../core/runtime/stream-operator.js';
import type { BroadcastState } from '../../../core/state/broadcast-state.js';
import type { InternalKvState } from '../../../core/state/keyed-state-backend.js';
import type { ValueState } from '../../../core/state/state.js';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../core/state/state-descriptor.js';
import type {
  InternalTimer,
  InternalTimerServiceImpl,
  Triggerable,
} from '../../../core/time/internal-timer-service.js';
import { NFA } from '../../nfa/nfa.js';
import { type CompiledNFA, compileNFA } from '../../nfa/nfa-compiler.js';
import type { NFAState } from '../../nfa/nfa-state.js';
import { deserializeNFAState, serializeNFAState } from '../../nfa/nfa-state-serializer.js';
import type { Pattern } from '../../pattern/pattern.js';
import { drainElementQueue, type ElementQueue, enqueueElement } from '../element-queue.js';
import {
  type DynamicPatternContext,
  type DynamicPatternProcessFunction,
  type DynamicTimedOutPartialMatchHandler,
  isDynamicTimedOutPartialMatchHandler,
} from './dynamic-pattern-process-function.js';
import { type PatternUpdate, patternUpdateProblem, type RejectedPatternUpdate } from './pattern-update.js';

/**
 * How a {@link DynamicCepOperator} is configured (`DynamicCEP.patterns(...)` fills it in).
 *
 * @example
 * ```ts
 * const config: DynamicCepOperatorConfig<Pay, string, RuleJson> = {
 *   compile: compileRule, keySelector: (p) => p.card, eventTime: true,
 *   comparator: undefined, lateDataTag: undefined, rejectedUpdatesTag: rejected,
 * };
 * ```
 */
export interface DynamicCepOperatorConfig<T, K, D> {
  /** Turns a plain definition into a pattern; may throw (the update is then rejected). */
  readonly compile: (definition: D) => Pattern<T, any>;
  readonly keySelector: KeySelector<T, K>;
  readonly eventTime: boolean;
  /** Orders events with equal timestamps (after arrival order, which is kept when it returns 0). */
  readonly comparator: ((a: T, b: T) => number) | undefined;
  /** The pattern a key belongs to, when keys are per pattern (only that one runs for it). */
  readonly patternOfKey?: ((key: K) => string | undefined) | undefined;
  readonly lateDataTag: OutputTag<T> | undefined;
  readonly rejectedUpdatesTag: OutputTag<RejectedPatternUpdate<D>> | undefined;
}

/**
 * What the broadcast state holds per pattern id: the last accepted version, as plain data. A
 * deletion stays as a tombstone so that versions remain monotonic per id.
 *
 * @example
 * ```ts
 * const stored: StoredPattern<RuleJson> = { id: 'a', version: 2, status: 'active', definition: rule, effectiveFrom: 1000 };
 * ```
 */
export type StoredPattern<D> =
  | {
      readonly id: string;
      readonly version: number;
      readonly status: 'active' | 'paused';
      readonly definition: D;
      /** Event time from which this version sees events (the update's timestamp, or -Infinity). */
      readonly effectiveFrom: number;
      readonly deleted?: undefined;
    }
  | { readonly id: string; readonly version: number; readonly deleted: true };

/** One pattern's NFA state for one key; the id and version make it decodable on its own. */
interface PatternNfaEntry<T> {
  readonly id: string;
  readonly version: number;
  /** `undefined` when restored for a version that no longer compiles (dropped on next access). */
  readonly state: NFAState<T> | undefined;
}

/** An active pattern, compiled. `state`/`entry` are scratch slots for the key being processed. */
interface LivePattern<T> {
  readonly id: string;
  readonly version: number;
  readonly nfa: NFA<T>;
  readonly effectiveFrom: number;
  state: NFAState<T> | undefined;
  entry: PatternNfaEntry<T> | undefined;
}

/** A compiled version of a pattern, active or not (paused versions are not kept). */
interface CompiledVersion<T> {
  readonly version: number;
  readonly compiled: CompiledNFA<T>;
  readonly nfa: NFA<T>;
}

const PATTERNS = 'cep.dynamic.patterns';
const ELEMENT_QUEUE = 'cep.dynamic.element-queue';
const NFA_STATE = 'cep.dynamic.nfa-state';
const NEXT_TIMEOUT = 'cep.dynamic.next-timeout';
/** Timer namespaces: one timer per buffered timestamp, and one per key for the next timeout. */
const QUEUE_TIMER = '';

/** No pattern runs for the key (its pattern is paused or deleted). */
const NONE: never[] = [];
const ignore = (): void => {};

/** Whether any queued event is at or before the watermark. */
function hasDueEvents<T>(queue: ElementQueue<T>, watermark: number): boolean {
  for (const ts of queue.timestamps) if (ts <= watermark) return true;
  return false;
}
const TIMEOUT_TIMER = 'timeout';

function byId(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The context handed to the user function; one per operator, repointed before each call. */
class MatchContext implements DynamicPatternContext {
  patternId = '';
  version = 0;
  ts = 0;

  constructor(private readonly operator: DynamicCepOperator<any, any, any, any>) {}

  timestamp(): number {
    return this.ts;
  }

  currentProcessingTime(): number {
    return this.operator.processingTimeNow();
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.operator.sideOutput(tag, value, this.ts);
  }
}

/**
 * Runs many patterns over one keyed stream, taking them from a broadcast stream of
 * {@link PatternUpdate}s (input 2) while events flow on input 1 (FLIP-200, which Flink lacks).
 *
 * Patterns:
 * - Each update carries `(id, version)`; versions are monotonic per id: an update whose version
 *   is not above the stored one is ignored, so replaying the update stream is harmless.
 * - An upsert is compiled (`compile(definition)`, then the NFA compiler) when it arrives. If that
 *   throws, the update is rejected: the previous version stays, and `{ update, reason }` goes to
 *   the `rejectedUpdatesTag` side output (from subtask 0 only, as every subtask decides alike).
 * - A new version replaces the old one at once: the old version's partial matches are dropped on
 *   every key. `paused` stops matching and drops its partial matches too; resuming is a new
 *   version with status `active` and starts fresh. A deletion drops the pattern's state on every
 *   key (eagerly, through `applyToAllKeys`) and leaves a tombstone with its version.
 * - Other patterns' partial matches are never touched by an update.
 * - In event time a version sees events from its update's timestamp on (events before it that are
 *   still buffered are skipped for it); an update without a timestamp takes effect for every event
 *   not yet passed by the watermark. So an update flowing in the same stream as the events affects
 *   exactly the events after it in event time, whatever the interleaving of the two inputs.
 *
 * Events:
 * - Event time: one buffer of events per key (an ElementQueue in keyed ValueState), shared by all
 *   patterns, with one timer per key at the next watermark advance. When the watermark passes a
 *   timestamp, its events (ties ordered by the comparator, then arrival) are fed to each active
 *   pattern's NFA in pattern-id order, so a key's outputs are in time order across patterns.
 *   Events at or behind the watermark are late: dropped or sent to `lateDataTag`. Events are
 *   buffered even while no pattern is active, so a pattern added before the watermark passes them
 *   sees them. The operator's event time is the minimum of both inputs (as for any two-input
 *   operator): give the update stream watermarks, mark it idle, or let a bounded one end.
 * - Processing time: each event is fed on arrival, at the current processing time.
 * - `within` timeouts and a trailing `notFollowedBy` complete by time: each key with partial
 *   matches has one timer (event or processing time) at the earliest next timeout over all its
 *   patterns.
 * - A key with no partial match in any pattern and an empty buffer keeps no state.
 *
 * State: the definitions live in broadcast state ({@link StoredPattern}, plain data), the per
 * (key, pattern) NFA state in keyed ValueState under the pattern id as namespace, serialized with
 * that pattern's compiled NFA. On restore the definitions are recompiled (compiled NFAs are cached
 * per id and version) before the keyed state is decoded. A definition that no longer compiles on
 * restore is left inactive and its partial matches are dropped.
 *
 * @example
 * ```ts
 * const op = new DynamicCepOperator(new ToAlert(), {
 *   compile: compileRule, keySelector: (p: Pay) => p.card, eventTime: true,
 *   comparator: undefined, lateDataTag: undefined, rejectedUpdatesTag: rejected,
 * });
 * ```
 */
export class DynamicCepOperator<T, K, D, OUT>
  extends AbstractUdfStreamOperator<OUT, DynamicPatternProcessFunction<T, OUT>>
  implements TwoInputStreamOperator<T, PatternUpdate<D>, OUT>, Triggerable<K>
{
  private patterns!: BroadcastState<string, StoredPattern<D>>;
  private queue!: ValueState<ElementQueue<T>>;
  private nfaState!: InternalKvState<ValueState<PatternNfaEntry<T>>>;
  private nextTimeout!: InternalKvState<ValueState<number>>;
  private timers!: InternalTimerServiceImpl<K>;
  private collector!: TimestampedCollector<OUT>;
  private readonly compiledById = new Map<string, CompiledVersion<T>>();
  /** Active patterns sorted by id. */
  private live: LivePattern<T>[] = [];
  private liveById = new Map<string, LivePattern<T>>();
  /** The patterns running for the current key (see `selectActive`). */
  private active: LivePattern<T>[] = [];
  /** Scratch for a key with a single pattern: no array per key. */
  private readonly single: LivePattern<T>[] = [];
  /** Bound once: draining a key's queue allocates no closure. */
  private readonly advanceAllTo = (timestamp: number): void => this.advanceAll(timestamp);
  private readonly feedAllOne = (event: T, timestamp: number): void => this.feedAll(event, timestamp);
  private readonly context = new MatchContext(this);
  private readonly timeoutHandler: DynamicTimedOutPartialMatchHandler<T> | undefined;
  private readonly nfaDescriptor: ValueStateDescriptor<PatternNfaEntry<T>>;

  constructor(
    fn: DynamicPatternProcessFunction<T, OUT>,
    private readonly config: DynamicCepOperatorConfig<T, K, D>,
  ) {
    super(fn);
    this.timeoutHandler = isDynamicTimedOutPartialMatchHandler<T>(fn) ? fn : undefined;
    this.nfaDescriptor = new ValueStateDescriptor<PatternNfaEntry<T>>(NFA_STATE, {
      serialize: (entry) => this.serializeEntry(entry),
      deserialize: (bytes) => this.deserializeEntry(bytes),
    });
  }

  override open(): void | Promise<void> {
    this.patterns = this.operatorStateBackend.getBroadcastState(
      new MapStateDescriptor<string, StoredPattern<D>>(PATTERNS),
    );
    // Compiled before the keyed state is registered: its restored entries decode with these NFAs.
    const broken: string[] = [];
    for (const [id, stored] of this.patterns.immutableEntries()) {
      if (stored.deleted || stored.status !== 'active') continue;
      try {
        this.compiledById.set(id, this.compileVersion(stored.version, stored.definition));
      } catch {
        broken.push(id);
      }
    }
    this.rebuildLive();
    const backend = this.keyedBackend!;
    this.queue = backend.getOrCreateKeyedState(new ValueStateDescriptor<ElementQueue<T>>(ELEMENT_QUEUE));
    this.nfaState = backend.getOrCreateKeyedState(this.nfaDescriptor);
    this.nextTimeout = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>(NEXT_TIMEOUT));
    this.timers = this.getInternalTimerService<K>('dynamic-cep-timers', this);
    this.collector = new TimestampedCollector(this.output);
    for (const id of broken) this.dropPatternState(id);
    return super.open();
  }

  /** Events. */
  processElement1(value: T, timestamp: number): void {
    const key = this.config.keySelector(value);
    this.keyedBackend!.setCurrentKey(key);
    if (!this.config.eventTime) {
      if (this.selectActive(key).length === 0) return;
      const now = this.processingTimeNow();
      this.loadStates();
      this.advanceAll(now);
      this.feedAll(value, now);
      this.storeStates(now);
      return;
    }
    if (timestamp <= this.currentWatermark) {
      if (this.config.lateDataTag) this.output.collectSide(this.config.lateDataTag, value, timestamp);
      return;
    }
    if (!enqueueElement(this.queue, value, timestamp)) return;
    // One queue timer per key at the next watermark advance (Flink's saveRegisterWatermarkTimer),
    // renewed by onEventTime while events wait.
    this.timers.registerEventTimeTimer(QUEUE_TIMER, this.nextWatermarkTimer());
  }

  /** The time of a timer that fires at the next watermark advance. */
  private nextWatermarkTimer(): number {
    const w = this.currentWatermark;
    return w + 1 > w ? w + 1 : w;
  }

  /** Pattern updates (the same on every subtask, so every subtask decides alike). */
  processElement2(update: PatternUpdate<D>, timestamp: number): void {
    const problem = patternUpdateProblem(update);
    if (problem !== undefined) {
      this.reject(update, problem, timestamp);
      return;
    }
    const id = update.id;
    const previous = this.patterns.get(id);
    if (previous !== undefined && update.version <= previous.version) return;
    const wasLive = this.compiledById.has(id);
    if (update.deleted) {
      this.patterns.put(id, { id, version: update.version, deleted: true });
      this.compiledById.delete(id);
    } else {
      let compiled: CompiledVersion<T>;
      try {
        compiled = this.compileVersion(update.version, update.definition);
      } catch (e) {
        this.reject(update, e instanceof Error ? `${e.name}: ${e.message}` : String(e), timestamp);
        return;
      }
      this.patterns.put(id, {
        id,
        version: update.version,
        status: update.status,
        definition: update.definition,
        effectiveFrom: this.config.eventTime ? timestamp : Number.NEGATIVE_INFINITY,
      });
      if (update.status === 'active') this.compiledById.set(id, compiled);
      else this.compiledById.delete(id);
    }
    this.rebuildLive();
    if (wasLive) this.dropPatternState(id);
  }

  onEventTime(timer: InternalTimer<K>): void {
    const watermark = this.currentWatermark;
    const queue = this.queue.value();
    if (timer.namespace === QUEUE_TIMER) {
      if (queue === undefined) return;
      // Nothing due yet: the timeout timer, not this one, moves time for the partial matches.
      if (!hasDueEvents(queue, watermark)) {
        this.timers.registerEventTimeTimer(QUEUE_TIMER, this.nextWatermarkTimer());
        return;
      }
    }
    const active = this.selectActive(timer.key).length > 0;
    if (active) this.loadStates();
    if (queue !== undefined) {
      const remaining = active
        ? drainElementQueue(queue, watermark, this.config.comparator, this.advanceAllTo, this.feedAllOne)
        : drainElementQueue(queue, watermark, undefined, ignore, ignore);
      if (!remaining) this.queue.clear();
      else if (timer.namespace === QUEUE_TIMER) {
        this.timers.registerEventTimeTimer(QUEUE_TIMER, this.nextWatermarkTimer());
      }
    }
    if (active) {
      this.advanceAll(watermark);
      this.storeStates(watermark);
    } else {
      this.scheduleTimeout(undefined, watermark);
    }
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    const now = this.processingTimeNow();
    if (this.selectActive(timer.key).length === 0) {
      this.scheduleTimeout(undefined, now);
      return;
    }
    this.loadStates();
    this.advanceAll(now);
    this.storeStates(now);
  }

  /** @internal for the match context */
  processingTimeNow(): number {
    return this.params.processingTimeService.getCurrentProcessingTime();
  }

  /** @internal for the match context */
  sideOutput<X>(tag: OutputTag<X>, value: X, timestamp: number): void {
    this.output.collectSide(tag, value, timestamp);
  }

  /**
   * Partial matches held now per pattern id, over every key of this subtask (Flink CEP has no such
   * metric; a risk team wants to see a rule's open matches grow). Walks the keyed state: call it
   * at scrape time, between records (the task is single-threaded, so any callback is), not per
   * record.
   *
   * @example
   * ```ts
   * operator.partialMatchesByPattern(); // Map { 'card-testing' => 12 }
   * ```
   */
  partialMatchesByPattern(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.live) {
      let n = 0;
      this.keyedBackend!.applyToAllKeys(
        p.id,
        this.nfaDescriptor,
        (_key, state) => {
          const entry = state.value();
          if (entry?.state !== undefined && entry.version === p.version)
            n += p.nfa.partialMatchCount(entry.state);
        },
        true,
      );
      counts.set(p.id, n);
    }
    return counts;
  }

  /** Ids and versions of the active patterns, in the order they see events. @internal for tests */
  activePatterns(): Array<{ id: string; version: number }> {
    return this.live.map((p) => ({ id: p.id, version: p.version }));
  }

  private compileVersion(version: number, definition: D): CompiledVersion<T> {
    const compiled = compileNFA(this.config.compile(definition));
    const pts = this.params.processingTimeService;
    return {
      version,
      compiled,
      nfa: new NFA<T>(compiled, { processingTime: () => pts.getCurrentProcessingTime() }),
    };
  }

  private rebuildLive(): void {
    const live: LivePattern<T>[] = [];
    for (const [id, c] of this.compiledById) {
      const stored = this.patterns.get(id);
      const effectiveFrom =
        stored !== undefined && !stored.deleted ? stored.effectiveFrom : Number.NEGATIVE_INFINITY;
      live.push({
        id,
        version: c.version,
        nfa: c.nfa,
        effectiveFrom,
        state: undefined,
        entry: undefined,
      });
    }
    this.live = live.sort(byId);
    this.liveById = new Map(this.live.map((p) => [p.id, p]));
  }

  /** Removes a pattern's NFA state on every key, and moves each such key's timeout timer. */
  private dropPatternState(id: string): void {
    const eventTime = this.config.eventTime;
    const now = eventTime ? this.currentWatermark : this.processingTimeNow();
    this.keyedBackend!.applyToAllKeys(id, this.nfaDescriptor, (_key, state) => {
      state.clear();
      let next: number | undefined;
      for (const p of this.live) {
        this.nfaState.setCurrentNamespace(p.id);
        const entry = this.nfaState.value();
        if (entry?.state === undefined || entry.version !== p.version) continue;
        const t = p.nfa.nextTimeout(entry.state);
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      // applyToAllKeys hands every key the same handle, pointed at the dropped pattern.
      this.nfaState.setCurrentNamespace(id);
      this.scheduleTimeout(next, now);
    });
  }

  private reject(update: PatternUpdate<D>, reason: string, timestamp: number): void {
    const tag = this.config.rejectedUpdatesTag;
    if (tag === undefined || this.params.taskInfo.indexOfThisSubtask !== 0) return;
    this.output.collectSide(tag, { update, reason }, timestamp);
  }

  /**
   * The patterns that run for `key`: every active one, or with `patternOfKey` only the key's own
   * (routed events would otherwise make every pattern run on every other pattern's keys).
   */
  private selectActive(key: K): LivePattern<T>[] {
    const patternOfKey = this.config.patternOfKey;
    if (patternOfKey === undefined) {
      this.active = this.live;
      return this.active;
    }
    const id = patternOfKey(key);
    if (id === undefined) {
      this.active = this.live;
      return this.active;
    }
    const p = this.liveById.get(id);
    this.active = p === undefined ? NONE : this.single;
    if (p !== undefined) this.single[0] = p;
    return this.active;
  }

  /** Points every active pattern's scratch slot at the current key's state (or a fresh one). */
  private loadStates(): void {
    const live = this.active;
    for (let i = 0; i < live.length; i++) {
      const p = live[i]!;
      this.nfaState.setCurrentNamespace(p.id);
      const entry = this.nfaState.value();
      p.entry = entry;
      p.state =
        entry?.state !== undefined && entry.version === p.version ? entry.state : p.nfa.createInitialState();
    }
  }

  /** Writes back every active pattern's state (none when it holds nothing) and moves the timer. */
  private storeStates(now: number): void {
    const live = this.active;
    let next: number | undefined;
    for (let i = 0; i < live.length; i++) {
      const p = live[i]!;
      const state = p.state!;
      this.nfaState.setCurrentNamespace(p.id);
      if (p.nfa.isStateEmpty(state)) {
        if (p.entry !== undefined) this.nfaState.clear();
      } else {
        const entry =
          p.entry !== undefined && p.entry.state === state && p.entry.version === p.version
            ? p.entry
            : { id: p.id, version: p.version, state };
        this.nfaState.update(entry);
        const t = p.nfa.nextTimeout(state);
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      p.state = undefined;
      p.entry = undefined;
    }
    this.scheduleTimeout(next, now);
  }

  /** Keeps exactly one timeout timer per key, at `next` (not before `now + 1`), or none. */
  private scheduleTimeout(next: number | undefined, now: number): void {
    const at = next === undefined ? undefined : Math.max(next, now + 1);
    this.nextTimeout.setCurrentNamespace('');
    const previous = this.nextTimeout.value();
    if (previous === at) return;
    const eventTime = this.config.eventTime;
    if (previous !== undefined) {
      if (eventTime) this.timers.deleteEventTimeTimer(TIMEOUT_TIMER, previous);
      else this.timers.deleteProcessingTimeTimer(TIMEOUT_TIMER, previous);
    }
    if (at === undefined) {
      this.nextTimeout.clear();
      return;
    }
    if (eventTime) this.timers.registerEventTimeTimer(TIMEOUT_TIMER, at);
    else this.timers.registerProcessingTimeTimer(TIMEOUT_TIMER, at);
    this.nextTimeout.update(at);
  }

  private advanceAll(timestamp: number): void {
    const live = this.active;
    for (let i = 0; i < live.length; i++) {
      const p = live[i]!;
      const { matches, timedOut } = p.nfa.advanceTime(p.state!, timestamp);
      for (let j = 0; j < matches.length; j++) this.emit(p, matches[j]!, timestamp);
      if (this.timeoutHandler !== undefined && timedOut.length > 0) {
        const ctx = this.context;
        ctx.patternId = p.id;
        ctx.version = p.version;
        for (let j = 0; j < timedOut.length; j++) {
          const [match, at] = timedOut[j]!;
          ctx.ts = at;
          this.timeoutHandler.processTimedOutMatch(match, ctx);
        }
      }
    }
  }

  private feedAll(event: T, timestamp: number): void {
    const live = this.active;
    for (let i = 0; i < live.length; i++) {
      const p = live[i]!;
      if (timestamp < p.effectiveFrom) continue;
      const matches = p.nfa.process(p.state!, event, timestamp);
      for (let j = 0; j < matches.length; j++) this.emit(p, matches[j]!, timestamp);
    }
  }

  private emit(p: LivePattern<T>, match: Map<string, T[]>, timestamp: number): void {
    const ctx = this.context;
    ctx.patternId = p.id;
    ctx.version = p.version;
    ctx.ts = timestamp;
    this.collector.timestamp = timestamp;
    this.userFunction.processMatch(match, ctx, this.collector);
  }

  private serializeEntry(entry: PatternNfaEntry<T>): Uint8Array {
    const c = this.compiledById.get(entry.id);
    const nfa =
      c !== undefined && c.version === entry.version && entry.state !== undefined
        ? serializeNFAState(c.compiled, entry.state)
        : null;
    return new Uint8Array(serialize({ id: entry.id, version: entry.version, nfa }));
  }

  private deserializeEntry(bytes: Uint8Array): PatternNfaEntry<T> {
    const data = deserialize(bytes) as { id: string; version: number; nfa: Uint8Array | null };
    const c = this.compiledById.get(data.id);
    const state =
      c !== undefined && c.version === data.version && data.nfa !== null
        ? deserializeNFAState(c.compiled, data.nfa)
        : undefined;
    return { id: data.id, version: data.version, state };
  }
}
