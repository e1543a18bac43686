import { WatermarkStrategy } from '../../core/index.js';
import { type RuleUpdate, ruleDeletion, ruleUpdate } from '../../rules/index.js';
import type { RuleRecord } from '../rules/rule-record.js';

/** The engine's marker for "no timestamp" (`NO_TIMESTAMP` of src/core/api/timestamps.ts). */
const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/**
 * The broadcast update for a rules-log record: the rule's version (active or paused), or its
 * deletion.
 *
 * @example
 * ```ts
 * toRuleUpdate({ id: 'r', version: 3, at: 0, deleted: true }); // { id: 'r', version: 3, deleted: true }
 * ```
 */
export function toRuleUpdate(record: RuleRecord): RuleUpdate {
  return record.deleted === true || record.rule === undefined
    ? ruleDeletion(record.id, record.version)
    : ruleUpdate(record.rule);
}

/**
 * Above every valid event time (`parseEvent` accepts up to year 9999, 2.5e14 ms) and, plus the
 * wall clock, still a safe integer (below 2^53 ≈ 9.007e15) until the year 6400.
 */
const BEYOND_EVENT_TIME = 8.64e15;

/**
 * Timestamps and watermarks of the rule-update stream: updates carry no timestamp (so a change
 * applies to every event the watermark has not passed yet, whatever the events' clock), and the
 * stream's watermark is beyond any event time, so the operators' event time is the event
 * stream's alone.
 *
 * The watermark is `8.64e15 + wall clock`, not +Infinity, so it keeps rising: a job restored from
 * a checkpoint restores its operators' combined watermark but not the per-input ones, and a source
 * does not re-send a watermark equal to its restored one, so a constant +Infinity would never reach
 * the two-input operators again and would hold their event time at the restored value.
 *
 * @example
 * ```ts
 * env.fromSource(rulesSource, ruleUpdateWatermarks(), 'rules');
 * ```
 */
export function ruleUpdateWatermarks(): WatermarkStrategy<RuleRecord> {
  return WatermarkStrategy.forGenerator<RuleRecord>(() => ({
    onEvent: () => {},
    onPeriodicEmit: (out) => out.emitWatermark(BEYOND_EVENT_TIME + Date.now()),
  })).withTimestampAssigner(() => NO_TIMESTAMP);
}
