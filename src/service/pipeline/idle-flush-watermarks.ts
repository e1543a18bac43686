import { WatermarkStrategy } from '../../core/index.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from '../../rules/index.js';

/**
 * The event stream's watermarks: bounded out-of-orderness (`highest event time - outOfOrdernessMs
 * - 1`), plus an idle flush: once the periodic emits found no new event for `idleFlushMs` of
 * processing time, the watermark catches up with the highest event time seen, so the last events of a burst are matched
 * without waiting for later ones. An event at or behind the watermark is late (dropped by the
 * pattern rules, as Flink does), so after a flush only newer events count.
 *
 * Time-driven results (`within` timeouts, absence rules) still need event time to advance: they
 * fire when later events move the watermark past their deadline.
 *
 * A job restored from a checkpoint starts a fresh generator: see {@link WATERMARK_TICK_TYPE} for
 * how the pipeline gives it the highest event time again.
 *
 * @example
 * ```ts
 * env.fromSource(source, idleFlushWatermarks(1000, 1000), 'events');
 * ```
 */
export function idleFlushWatermarks(
  outOfOrdernessMs: number,
  idleFlushMs: number,
  timestampField = DEFAULT_TIMESTAMP_FIELD,
): WatermarkStrategy<RuleEvent> {
  return WatermarkStrategy.forGenerator<RuleEvent>((ctx) => {
    let max = Number.NEGATIVE_INFINITY;
    let sawEvents = false;
    /** Processing time of the first periodic emit that found no event since the previous one. */
    let quietSince = Number.NaN;
    return {
      onEvent: (_e, ts) => {
        if (ts > max) max = ts;
        sawEvents = true;
      },
      onPeriodicEmit: (out) => {
        // Quiet is measured between periodic emits, not since the last event: a task that was
        // stalled (CPU, GC, a long snapshot) with a backlog waiting finds no new event at its
        // first emit after the stall, but must not flush past that backlog.
        const now = ctx.currentProcessingTime();
        if (sawEvents) {
          sawEvents = false;
          quietSince = Number.NaN;
        } else if (Number.isNaN(quietSince)) {
          quietSince = now;
        }
        if (max === Number.NEGATIVE_INFINITY) return;
        const idle = !Number.isNaN(quietSince) && now - quietSince >= idleFlushMs;
        out.emitWatermark(idle ? max : max - outOfOrdernessMs - 1);
      },
    };
  }).withTimestampAssigner((e) => e[timestampField] as number);
}

/**
 * Event type of the watermark tick the pipeline appends to the `events` topic at boot, with the
 * highest event time found at the end of the topic. A restored job re-reads the events after its
 * checkpoint first (they precede the tick in the log) and then the tick, which gives its fresh
 * watermark generator the highest event time again; without it, events buffered in the restored
 * state would wait for a new event. Ticks are dropped right after the source; the ingest refuses
 * this type.
 *
 * @example
 * ```ts
 * events.filter((e) => e.type !== WATERMARK_TICK_TYPE);
 * ```
 */
export const WATERMARK_TICK_TYPE = 'cep-service.watermark-tick';
