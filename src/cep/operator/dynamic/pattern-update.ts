/**
 * Adds or replaces one pattern of a dynamic CEP operator (see `DynamicCEP.patterns`). Plain JSON:
 * the definition is compiled into a `Pattern` by the compile function given to the operator, so
 * broadcast state and checkpoints hold only this data.
 *
 * @example
 * ```ts
 * const update: PatternUpsert<RuleJson> = { id: 'card-testing', version: 3, status: 'active', definition: rule };
 * ```
 */
export interface PatternUpsert<D> {
  readonly id: string;
  /** Monotonic per id: an update whose version is not above the stored one is ignored. */
  readonly version: number;
  /** `paused` keeps the definition but stops matching; partial matches are dropped. */
  readonly status: 'active' | 'paused';
  readonly definition: D;
  readonly deleted?: undefined;
}

/**
 * Deletes one pattern of a dynamic CEP operator: its partial matches are removed on every key. The
 * id's version is remembered (a tombstone), so a replayed older update does not bring it back.
 *
 * @example
 * ```ts
 * const del: PatternDeletion = { id: 'card-testing', version: 4, deleted: true };
 * ```
 */
export interface PatternDeletion {
  readonly id: string;
  readonly version: number;
  readonly deleted: true;
}

/**
 * One change to the set of patterns of a dynamic CEP operator, as carried by its update stream.
 *
 * @example
 * ```ts
 * const updates: PatternUpdate<RuleJson>[] = [
 *   { id: 'a', version: 1, status: 'active', definition: ruleA },
 *   { id: 'a', version: 2, deleted: true },
 * ];
 * ```
 */
export type PatternUpdate<D> = PatternUpsert<D> | PatternDeletion;

/**
 * An update the operator refused (malformed update, or a definition that does not compile), sent
 * to the `rejectedUpdates` side output. The previous version of the pattern, if any, stays.
 *
 * @example
 * ```ts
 * main.getSideOutput(rejected).map((r: RejectedPatternUpdate<RuleJson>) => `${r.update.id}: ${r.reason}`);
 * ```
 */
export interface RejectedPatternUpdate<D> {
  readonly update: PatternUpdate<D>;
  readonly reason: string;
}

/**
 * Why `update` is not a well-formed {@link PatternUpdate}, or `undefined` if it is. Updates come
 * from outside the job (a topic, an HTTP API), so their shape is checked rather than trusted.
 *
 * @example
 * ```ts
 * patternUpdateProblem({ id: '', version: 1, status: 'active', definition: {} }); // 'id must be a non-empty string'
 * ```
 */
export function patternUpdateProblem(update: unknown): string | undefined {
  if (typeof update !== 'object' || update === null) return 'update must be an object';
  const u = update as Record<string, unknown>;
  if (typeof u.id !== 'string' || u.id.length === 0) return 'id must be a non-empty string';
  if (typeof u.version !== 'number' || !Number.isFinite(u.version)) return 'version must be a finite number';
  if (u.deleted !== undefined) return u.deleted === true ? undefined : 'deleted must be true when present';
  if (u.status !== 'active' && u.status !== 'paused') return "status must be 'active' or 'paused'";
  if (u.definition === undefined) return 'definition is missing';
  return undefined;
}
