import type { Rule } from '../../rules/index.js';

/**
 * One entry of the rules log: a version of a rule, or its deletion (a tombstone keeping the
 * version, so an old version cannot come back). The latest record per id is the rule's state.
 *
 * @example
 * ```ts
 * const r: RuleRecord = { id: 'card-testing', version: 2, at: Date.now(), rule };
 * const t: RuleRecord = { id: 'card-testing', version: 3, at: Date.now(), deleted: true };
 * ```
 */
export interface RuleRecord {
  readonly id: string;
  readonly version: number;
  /** When the change was written (epoch ms). */
  readonly at: number;
  /** The rule (absent on a deletion). */
  readonly rule?: Rule;
  readonly deleted?: true;
}
