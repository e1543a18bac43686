import { Logger } from '@nestjs/common';
import { jsonValue, type LogPartitionReader } from '../../core/index.js';
import type { Alert } from '../../rules/index.js';
import type { EmbeddedStorage } from '../storage/embedded-storage.js';
import type { AlertEntry, AlertFeed } from './alert-feed.js';

/**
 * Embedded mode's {@link AlertFeed}: tails the local log's `alerts` topic (committed records
 * only). An alert's position is its offset; the topic keeps every alert, so {@link readAfter}
 * serves an SSE client resuming from any earlier position.
 *
 * @example
 * ```ts
 * const feed = new LocalLogAlertFeed(storage);
 * await feed.start((a, preexisting) => console.log(a.alertId, preexisting), 1000);
 * ```
 */
export class LocalLogAlertFeed implements AlertFeed {
  private readonly logger = new Logger('AlertHub');
  private readonly stopTail = new AbortController();
  private reader: LogPartitionReader | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly storage: EmbeddedStorage) {}

  async start(
    onAlert: (alert: Alert, preexisting: boolean, id: string) => void,
    recent: number,
  ): Promise<void> {
    const end = this.storage.log.committedEnd('alerts', 0);
    const reader = this.storage.log.reader('alerts', 0, Math.max(0, end - recent));
    this.reader = reader;
    for (let batch = reader.poll(1000); batch.length > 0; batch = reader.poll(1000)) {
      for (const r of batch) onAlert(jsonValue<Alert>(r), true, String(r.offset));
    }
    this.tail = this.follow(reader, onAlert);
  }

  readAfter(afterId: string, untilId: string, max: number): AlertEntry[] | undefined {
    const after = offsetOf(afterId);
    const until = offsetOf(untilId);
    if (after === undefined || until === undefined || after > until) return undefined;
    const reader = this.storage.log.reader('alerts', 0, after + 1);
    const out: AlertEntry[] = [];
    try {
      while (out.length < max) {
        const batch = reader.poll(Math.min(1000, max - out.length));
        if (batch.length === 0) break;
        for (const r of batch) {
          if (r.offset > until) return out;
          out.push({ id: String(r.offset), alert: jsonValue<Alert>(r) });
        }
      }
    } finally {
      reader.close();
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopTail.abort();
    await this.tail;
    this.reader?.close();
  }

  private async follow(
    reader: LogPartitionReader,
    onAlert: (alert: Alert, preexisting: boolean, id: string) => void,
  ): Promise<void> {
    const signal = this.stopTail.signal;
    while (!signal.aborted) {
      try {
        if (!(await reader.waitForCommit({ signal }))) {
          if (!signal.aborted) await new Promise((r) => setTimeout(r, 100)); // the log closed
          continue;
        }
        for (const r of reader.poll(1000)) onAlert(jsonValue<Alert>(r), false, String(r.offset));
      } catch (e) {
        if (signal.aborted) return;
        this.logger.error(`reading the alerts topic failed: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

/** The offset an SSE id names (`"42"`), or undefined. */
function offsetOf(id: string): number | undefined {
  return /^\d{1,15}$/.test(id) ? Number(id) : undefined;
}
