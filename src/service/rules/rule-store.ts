import type { RuleRecord } from './rule-record.js';

/**
 * A port: the source of truth for rules, an append-only log of {@link RuleRecord}s keyed by rule
 * id (only the latest record per id matters, so it can be compacted). The embedded mode
 * implements it on the local log's `rules` topic ({@link LocalLogRuleStore}); Kafka mode will
 * implement it with a compacted topic that every replica reads from the start.
 *
 * The HTTP layer writes here and never edits engine state; the pipeline subscribes and turns
 * records into broadcast rule updates.
 *
 * @example
 * ```ts
 * const current = store.get('card-testing');
 * await store.append({ id: 'card-testing', version: current!.version + 1, at: Date.now(), deleted: true });
 * ```
 */
export interface RuleStore {
  /** The latest record of every id ever written (tombstones included), by id. */
  snapshot(): ReadonlyMap<string, RuleRecord>;
  /** The latest record of `id`. */
  get(id: string): RuleRecord | undefined;
  /** The versions of `id` this store has read, newest first (see {@link RuleHistory}). */
  history(id: string): readonly RuleRecord[];
  /** Appends a record durably; listeners see it after the promise resolves. */
  append(record: RuleRecord): Promise<void>;
  /** Calls `listener` with every record appended from now on; returns the unsubscribe function. */
  subscribe(listener: (record: RuleRecord) => void): () => void;
}

/**
 * Injection token of the {@link RuleStore}.
 *
 * @example
 * ```ts
 * constructor(@Inject(RULE_STORE) private readonly store: RuleStore) {}
 * ```
 */
export const RULE_STORE = Symbol('RULE_STORE');

/**
 * Thrown by {@link RuleStore.append} when another writer got a version of the rule in first
 * (Kafka mode: replicas write to one rules topic; the first record of a version in the topic's
 * order wins, every reader agrees on it). The HTTP layer answers 409.
 *
 * @example
 * ```ts
 * try { await store.append(record); } catch (e) { if (e instanceof RuleVersionConflictError) e.currentVersion; }
 * ```
 */
export class RuleVersionConflictError extends Error {
  override readonly name = 'RuleVersionConflictError';
  constructor(
    readonly id: string,
    readonly currentVersion: number,
  ) {
    super(`rule "${id}" is already at version ${currentVersion} (written concurrently by another replica)`);
  }
}
