import type { RuleRecord } from './rule-record.js';

/** Versions kept per rule id (older ones are forgotten first). */
export const RULE_HISTORY_LIMIT = 100;

/**
 * The versions of each rule a store has read, newest first, for `GET /rules/:id/versions`. In
 * embedded mode that is every version ever written (the local log keeps them all); in Kafka mode
 * what the compacted rules topic still held at boot plus every change since.
 *
 * @example
 * ```ts
 * const history = new RuleHistory();
 * history.remember(record);
 * history.of('card-testing'); // [{ id: 'card-testing', version: 2, … }, { …, version: 1 }]
 * ```
 */
export class RuleHistory {
  private readonly byId = new Map<string, RuleRecord[]>();

  /** Adds a record (a replayed or older version is ignored). */
  remember(record: RuleRecord): void {
    let list = this.byId.get(record.id);
    if (list === undefined) {
      list = [];
      this.byId.set(record.id, list);
    }
    if (list.length > 0 && list[list.length - 1]!.version >= record.version) return;
    list.push(record);
    if (list.length > RULE_HISTORY_LIMIT) list.shift();
  }

  /** The versions of `id`, newest first. */
  of(id: string): RuleRecord[] {
    return [...(this.byId.get(id) ?? [])].reverse();
  }
}
