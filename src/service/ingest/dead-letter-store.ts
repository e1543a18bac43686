import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import type { DeadLetterRecord } from '../storage/dead-letter-record.js';
import { INGEST_LOG, type IngestLog } from '../storage/ingest-log.js';

const MAX_PAYLOAD_CHARS = 4096;
const RECENT = 200;

/**
 * Refused inputs: written to the `dead-letters` topic with the reason, counted
 * (`dead_letters_total`), and the most recent kept for `GET /events/dead-letters`.
 *
 * @example
 * ```ts
 * await deadLetters.record('http', [{ payload: { ts: 1 }, reason: 'type must be a non-empty string' }]);
 * ```
 */
@Injectable()
export class DeadLetterStore {
  private readonly logger = new Logger('DeadLetters');
  private readonly recentRecords: DeadLetterRecord[] = [];

  constructor(
    @Inject(INGEST_LOG) private readonly log: IngestLog,
    private readonly metrics: ServiceMetrics,
  ) {}

  /** Records refused inputs durably. @example `await store.record('http', [{ payload, reason }])` */
  async record(source: string, items: readonly { payload: unknown; reason: string }[]): Promise<void> {
    if (items.length === 0) return;
    const at = Date.now();
    const records = items.map(
      (i): DeadLetterRecord => ({ at, source, reason: i.reason, payload: truncate(i.payload) }),
    );
    this.metrics.deadLetters.inc(records.length);
    this.recentRecords.push(...records);
    if (this.recentRecords.length > RECENT) this.recentRecords.splice(0, this.recentRecords.length - RECENT);
    try {
      await this.log.appendDeadLetters(records);
    } catch (e) {
      this.logger.error(`could not write ${records.length} dead letters: ${String(e)}`);
    }
  }

  /** The most recent dead letters, newest first. @example `store.recent(10)` */
  recent(limit = 100): DeadLetterRecord[] {
    return this.recentRecords.slice(-limit).reverse();
  }
}

function truncate(payload: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload);
  } catch {
    return '[unserializable]';
  }
  if (text === undefined) return null;
  return text.length <= MAX_PAYLOAD_CHARS ? payload : { truncated: text.slice(0, MAX_PAYLOAD_CHARS) };
}
