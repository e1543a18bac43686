import { WatermarkStrategy } from '../../core/index.js';
import { DEFAULT_TIMESTAMP_FIELD, type RuleEvent } from '../../rules/index.js';

/**
 * The event stream's watermarks: bounded out-of-orderness (`highest event time - outOfOrdernessMs
 * - 1`), plus an idle flush: once the periodic emits found no new event for `idleFlushMs` of
 * processing time and for at least `idleFlushMs / emitIntervalMs` emits in a row, with the source
 * caught up with its input, the watermark catches up with the highest event time seen, so the last events of a burst are matched
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
/** Options of {@link idleFlushWatermarks}. */
export interface IdleFlushOptions {
  /** Field holding the event time (default `ts`). */
  readonly timestampField?: string;
  /** The job's periodic watermark interval (default 100 ms). */
  readonly emitIntervalMs?: number;
  /**
   * Whether the source found nothing to read on its latest poll (default: always). A source held
   * back by a busy pipeline does not poll, and its quiet then says nothing about the producers: its
   * backlog must not become late.
   */
  readonly caughtUp?: () => boolean;
}

export function idleFlushWatermarks(
  outOfOrdernessMs: number,
  idleFlushMs: number,
  options: IdleFlushOptions = {},
): WatermarkStrategy<RuleEvent> {
  const timestampField = options.timestampField ?? DEFAULT_TIMESTAMP_FIELD;
  const caughtUp = options.caughtUp ?? (() => true);
  // The quiet must also span this many periodic emits: wall-clock time alone is fooled by a
  // process that was too busy (a long snapshot, a metrics walk, GC) to take events in over HTTP.
  const minQuietEmits = Math.max(2, Math.ceil(idleFlushMs / Math.max(1, options.emitIntervalMs ?? 100)));
  return WatermarkStrategy.forGenerator<RuleEvent>((ctx) => {
    let max = Number.NEGATIVE_INFINITY;
    let sawEvents = false;
    /** Processing time of the first periodic emit that found no event since the previous one. */
    let quietSince = Number.NaN;
    let quietEmits = 0;
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
          quietEmits = 0;
        } else {
          if (Number.isNaN(quietSince)) quietSince = now;
          quietEmits++;
        }
        if (max === Number.NEGATIVE_INFINITY) return;
        const idle = quietEmits >= minQuietEmits && now - quietSince >= idleFlushMs && caughtUp();
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
