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

/**
 * Timestamps and watermarks of the rule-update stream in Kafka mode's partition tasks: updates
 * carry no timestamp and the stream is idle from its first periodic check on, for good, so it
 * never takes part in an operator's event time (an idle input is left out of the minimum;
 * records on it are still processed). {@link ruleUpdateWatermarks}' "beyond any event time"
 * watermark would not do here: when a partition's events go idle, the operator's event time
 * would become that of the rules stream and jump past every event still to come, and the
 * router tasks would write that watermark to the repartition topic.
 *
 * @example
 * ```ts
 * env.fromSource(new RuleStoreSource(store), idleRuleUpdateWatermarks(), 'rules');
 * ```
 */
export function idleRuleUpdateWatermarks(): WatermarkStrategy<RuleRecord> {
  return WatermarkStrategy.forGenerator<RuleRecord>(() => {
    let idle = false;
    return {
      onEvent: () => {},
      onPeriodicEmit: (out) => {
        if (idle) return;
        idle = true;
        out.markIdle();
      },
    };
  }).withTimestampAssigner(() => NO_TIMESTAMP);
}
