import type { LateGroupedEvent } from '../../rules/index.js';
import type { DeadLetterStore } from '../ingest/dead-letter-store.js';
import { CallbackSink } from './callback-sink.js';

/**
 * Where late events go (DESIGN §3: "late events are counted and routed to a late output, never
 * dropped silently"): a dead letter with reason `late`, the event's time, the watermark it was
 * behind and the rules that would have seen it, written through the {@link DeadLetterStore} (the dead-letters topic, `GET /events/dead-letters`). An event late for
 * several groupings becomes one dead letter. The per-rule counts are `cep_late_events_total`.
 * Replays after a crash may write a late event's dead letter again (at least once).
 *
 * @example
 * ```ts
 * const { late } = RulePipeline.alerts(events, updates, { lateEvents: lateTag, stats });
 * late?.sinkTo(lateEventsSink(deadLetters)).uid('late-events');
 * ```
 */
export function lateEventsSink(deadLetters: DeadLetterStore): CallbackSink<LateGroupedEvent> {
  const seen = new WeakSet<object>();
  return new CallbackSink<LateGroupedEvent>((late) => {
    const event = late.grouped.event;
    if (seen.has(event)) return;
    seen.add(event);
    // Not awaited: the task goes on; the store logs a failed write.
    void deadLetters.record('engine', [{ payload: event, reason: lateReason(late) }]);
  });
}

/** `late: ts … is at or behind the watermark … (rules: a, b)`. */
export function lateReason(late: LateGroupedEvent): string {
  const ts = late.grouped.event.ts;
  const when = typeof ts === 'number' ? new Date(ts).toISOString() : String(ts);
  const rules = late.grouped.refs.map((r) => r.id).join(', ');
  return `late: ts ${when} is at or behind the watermark ${new Date(late.watermark).toISOString()}${rules === '' ? '' : ` (rules: ${rules})`}`;
}
