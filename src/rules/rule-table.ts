import { patternUpdateProblem } from '../cep/index.js';
import { MapStateDescriptor } from '../core/index.js';
import type { BroadcastState, ReadOnlyBroadcastState } from '../core/state/broadcast-state.js';
import type { Rule } from './rule.js';
import type { RuleUpdate } from './rule-update.js';
import { type RuleOptions, validateRule } from './validate-rule.js';

/**
 * One version of a rule id in broadcast state: the rule when installed (`undefined` for a
 * deletion), its status, and `since`, the event time it applies from (its update's timestamp,
 * or the watermark when the update had none).
 *
 * @example
 * ```ts
 * const v: RuleVersion = { version: 3, status: 'active', rule, since: 1_700_000_000_000 };
 * ```
 */
export interface RuleVersion {
  readonly version: number;
  readonly status: 'active' | 'paused' | 'deleted';
  readonly rule?: Rule;
  readonly since: number;
}

/**
 * One rule id's entry in broadcast state: its versions in ascending order, the last being the
 * latest (a deletion stays as a tombstone, so a replayed older update cannot bring the rule
 * back). Older versions are kept while they may still apply: events wait for the watermark, so
 * an operator can receive several updates before the events they do not apply to yet; a version
 * goes once the watermark has passed the `since` of a newer one. Plain JSON, checkpointed with
 * the operator.
 *
 * @example
 * ```ts
 * const e: RuleEntry = { versions: [{ version: 1, status: 'active', rule, since: 0 }] };
 * ```
 */
export interface RuleEntry {
  readonly versions: readonly RuleVersion[];
}

/**
 * What applying an update did: `ignored` (stale version), `rejected` (malformed or invalid rule,
 * with the reason; the previous version stays), or `applied` (the id's entry changed).
 *
 * @example
 * ```ts
 * const r = RuleTable.apply(state, update, since, watermark);
 * if (r.outcome === 'rejected') ctx.output(rejectedTag, { update, reason: r.reason });
 * ```
 */
export type RuleTableChange =
  | { readonly outcome: 'ignored' }
  | { readonly outcome: 'rejected'; readonly reason: string }
  | { readonly outcome: 'applied'; readonly id: string; readonly entry: RuleEntry };

/**
 * The rule set kept in broadcast state by the rule operators (router, threshold evaluator), with
 * the semantics of the dynamic CEP operator: versions monotonic per id (stale updates ignored, so
 * replaying a compacted topic is harmless), deletions leave tombstones, invalid rules are
 * rejected and leave the previous version in place. Unlike it, a version applies exactly from
 * its update's timestamp: an event goes to the version in force at its own timestamp.
 *
 * @example
 * ```ts
 * const rules = ctx.getBroadcastState(RuleTable.descriptor);
 * RuleTable.apply(rules, update, ctx.timestamp() ?? watermark, watermark);
 * for (const entry of RuleTable.live(rules)) RuleTable.ruleAt(entry, eventTs);
 * ```
 */
export const RuleTable = {
  /** The broadcast state holding the rules, by id. */
  descriptor: new MapStateDescriptor<string, RuleEntry>('rules').withImmutableValues(),

  /** Applies one update (validated here: updates come from outside the job). */
  apply(
    state: BroadcastState<string, RuleEntry>,
    update: RuleUpdate,
    since: number,
    watermark: number,
    options: RuleOptions = {},
  ): RuleTableChange {
    const problem = patternUpdateProblem(update);
    if (problem !== undefined) return { outcome: 'rejected', reason: problem };
    const current = state.get(update.id);
    const latest = current === undefined ? undefined : RuleTable.latest(current);
    if (latest !== undefined && update.version <= latest.version) return { outcome: 'ignored' };
    let version: RuleVersion;
    if (update.deleted === true) {
      version = { version: update.version, status: 'deleted', since };
    } else {
      const validation = validateRule(update.definition, options);
      if (!validation.ok) {
        const reason = validation.errors.map((e) => `${e.path || '/'}: ${e.message}`).join('; ');
        return { outcome: 'rejected', reason };
      }
      const rule = validation.rule;
      if (rule.id !== update.id || rule.version !== update.version) {
        return { outcome: 'rejected', reason: 'the update id and version must be those of its rule' };
      }
      // The update's status wins: pausing is an update with the same rule and status 'paused'.
      version = { version: update.version, status: update.status, rule, since };
    }
    const versions = [...(current?.versions ?? []), version];
    const entry: RuleEntry = {
      versions: versions.filter((v) => !(RuleTable.validUntil({ versions }, v.version)! <= watermark)),
    };
    state.put(update.id, entry);
    return { outcome: 'applied', id: update.id, entry };
  },

  /** The latest version. */
  latest(entry: RuleEntry): RuleVersion {
    return entry.versions[entry.versions.length - 1]!;
  },

  /** The version `version` of the entry, if kept. */
  find(entry: RuleEntry, version: number): RuleVersion | undefined {
    return entry.versions.find((v) => v.version === version);
  },

  /**
   * Until when (exclusive) `version` applies: the earliest `since` of a newer version
   * (`Infinity` for the latest), `undefined` if the version is not kept.
   */
  validUntil(entry: RuleEntry, version: number): number | undefined {
    let until = Number.POSITIVE_INFINITY;
    let found = false;
    for (const v of entry.versions) {
      if (v.version === version) found = true;
      else if (v.version > version && v.since < until) until = v.since;
    }
    return found ? until : undefined;
  },

  /**
   * The rule in force for an event at `ts`: of the versions whose `since` is not after `ts`, the
   * newest; `undefined` when there is none or it is paused or deleted.
   */
  ruleAt(entry: RuleEntry, ts: number): Rule | undefined {
    let best: RuleVersion | undefined;
    for (const v of entry.versions)
      if (v.since <= ts && (best === undefined || v.version > best.version)) best = v;
    return best !== undefined && best.status === 'active' ? best.rule : undefined;
  },

  /** The entries with some active version, by id (a stable order: outputs do not depend on arrival order). */
  live(state: ReadOnlyBroadcastState<string, RuleEntry>): RuleEntry[] {
    const out: Array<[string, RuleEntry]> = [];
    for (const [id, entry] of state.immutableEntries()) {
      if (entry.versions.some((v) => v.status === 'active')) out.push([id, entry]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, e]) => e);
  },
};
