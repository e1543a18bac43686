import { Inject, Injectable } from '@nestjs/common';
import { type EventOptions, parseEvent, type RuleEvent } from '../../rules/index.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { WATERMARK_TICK_TYPE } from '../pipeline/idle-flush-watermarks.js';
import { INGEST_LOG, type IngestLog } from '../storage/ingest-log.js';
import { DeadLetterStore } from './dead-letter-store.js';

/**
 * What `POST /events` answers: how many events were accepted (durably appended to the `events`
 * topic) and how many were dead-lettered, with the index and reason of each refused one.
 *
 * @example
 * ```ts
 * const r: IngestResult = { accepted: 2, deadLettered: 1, deadLetters: [{ index: 1, reason: 'ts is missing' }] };
 * ```
 */
export interface IngestResult {
  readonly accepted: number;
  readonly deadLettered: number;
  readonly deadLetters: { readonly index: number; readonly reason: string }[];
}

/**
 * The HTTP ingest: validates each event with `parseEvent` (a JSON object, a `type`, a
 * timestamp `ts` as epoch ms or ISO-8601, at most `MAX_EVENT_TIME_SKEW_MS` ahead of the wall
 * clock, bounded nesting); valid events are appended to the
 * events topic of the mode's {@link IngestLog} (the local log, or Kafka's events topic), refused
 * ones go to the dead-letter store. A bad event never fails its batch.
 *
 * @example
 * ```ts
 * await ingest.ingest([{ type: 'login_failed', ts: 1, user: 'ann' }, { nope: true }]);
 * // { accepted: 1, deadLettered: 1, deadLetters: [{ index: 1, reason: 'type must be a non-empty string' }] }
 * ```
 */
@Injectable()
export class IngestService {
  private readonly eventOptions: EventOptions;

  constructor(
    @Inject(INGEST_LOG) private readonly log: IngestLog,
    private readonly deadLetters: DeadLetterStore,
    private readonly metrics: ServiceMetrics,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.eventOptions = eventOptionsOf(config);
  }

  /**
   * Validates and appends `body` (one event or an array). With an `idempotencyKey` (the
   * `Idempotency-Key` header), every valid event without an `id` field gets the id
   * `<key>:<index>` (its index in the body), so that the pipeline deduplicates a resent batch
   * whose events carry no ids of their own (see `DEDUP_WINDOW_MS`).
   */
  async ingest(body: unknown, idempotencyKey?: string): Promise<IngestResult> {
    const items = Array.isArray(body) ? body : [body];
    const valid: RuleEvent[] = [];
    const refused: { index: number; reason: string; payload: unknown }[] = [];
    const key = idempotencyKey === undefined || idempotencyKey.length === 0 ? undefined : idempotencyKey;
    items.forEach((item, index) => {
      const p = parseEvent(item, this.eventOptions);
      if (p.ok && p.event.type === WATERMARK_TICK_TYPE) {
        refused.push({ index, reason: `type "${WATERMARK_TICK_TYPE}" is reserved`, payload: item });
      } else if (p.ok) {
        valid.push(
          key !== undefined && p.event.id === undefined ? { ...p.event, id: `${key}:${index}` } : p.event,
        );
      } else refused.push({ index, reason: p.reason, payload: item });
    });
    await Promise.all([this.log.appendEvents(valid), this.deadLetters.record('http', refused)]);
    this.metrics.eventsIn.inc(valid.length);
    return {
      accepted: valid.length,
      deadLettered: refused.length,
      deadLetters: refused.map(({ index, reason }) => ({ index, reason })),
    };
  }
}

/**
 * The `parseEvent` options of the service's event inputs (HTTP and, in Kafka mode, the events
 * topic): `MAX_EVENT_TIME_SKEW_MS` as `maxAheadMs` (0 = no limit).
 *
 * @example
 * ```ts
 * parseEvent(value, eventOptionsOf(config));
 * ```
 */
export function eventOptionsOf(config: Pick<ServiceConfig, 'maxEventTimeSkewMs'>): EventOptions {
  return config.maxEventTimeSkewMs > 0 ? { maxAheadMs: config.maxEventTimeSkewMs } : {};
}
