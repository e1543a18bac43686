import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { Alert } from '../../rules/index.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { ALERT_FEED, type AlertEntry, type AlertFeed } from './alert-feed.js';

/**
 * Filters of {@link AlertHub.recent}.
 *
 * @example
 * ```ts
 * hub.recent({ ruleId: 'card-testing', limit: 10 });
 * ```
 */
export interface AlertQuery {
  readonly ruleId?: string;
  readonly key?: string;
  /** Alerts whose event-time range ends at or after this (epoch ms). */
  readonly from?: number;
  /** Alerts whose event-time range starts before this (epoch ms). */
  readonly to?: number;
  readonly limit?: number;
}

/**
 * What {@link AlertHub.entriesAfter} found after a position: up to `max` entries, oldest first,
 * and whether alerts after that position may be missing from them (`gap`: the position is
 * unknown, or older than what the hub and the topic still hold; the entries then start with the
 * oldest retained alert).
 *
 * @example
 * ```ts
 * const { entries, gap } = hub.entriesAfter('41', 500);
 * ```
 */
export interface EntriesAfter {
  readonly entries: readonly AlertEntry[];
  readonly gap: boolean;
}

/**
 * The read side of the `alerts` topic: the engine job writes alerts there exactly once (they
 * become visible when their checkpoint completes); the hub tails the topic (read-committed,
 * through the mode's {@link AlertFeed}: local log or Kafka) and
 * feeds the ring buffer of recent alerts (`GET /alerts`, preloaded from the topic at startup),
 * the live subscribers (`GET /alerts/stream`) and `alerts_out_total`. So what HTTP clients see
 * is exactly what downstream readers of the topic see, once each. Every alert carries its
 * position in the topic (see {@link AlertEntry}); {@link entriesAfter} serves an SSE client that
 * resumes after a position, from the ring or, in embedded mode, from the topic itself.
 *
 * @example
 * ```ts
 * hub.live().subscribe((a) => console.log(a.alertId));
 * hub.recent({ ruleId: 'card-testing' });
 * ```
 */
@Injectable()
export class AlertHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AlertHub');
  /** Recent entries, oldest first; entry `i` has sequence number `firstSeq + i`. */
  private readonly ring: AlertEntry[] = [];
  private firstSeq = 0;
  /** Sequence number of each entry in the ring, by position id. */
  private readonly seqById = new Map<string, number>();
  private readonly subject = new Subject<Alert>();
  private readonly entrySubject = new Subject<AlertEntry>();
  private readonly capacity: number;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(ALERT_FEED) private readonly feed: AlertFeed,
    private readonly metrics: ServiceMetrics,
  ) {
    this.capacity = config.alertBufferSize;
  }

  async onModuleInit(): Promise<void> {
    // Preexisting alerts of earlier runs fill the ring (not counted, not streamed).
    await this.feed.start((alert, preexisting, id) => {
      if (preexisting) this.remember({ id, alert });
      else this.publish({ id, alert });
    }, this.capacity);
    this.logger.log(`following the alerts topic (${this.ring.length} recent alerts loaded so far)`);
  }

  /** Stops tailing before the storage closes (that happens in `onApplicationShutdown`). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.feed.stop();
  }

  /** Recent alerts matching `q`, newest first. @example `hub.recent({ limit: 5 })` */
  recent(q: AlertQuery = {}): Alert[] {
    const out: Alert[] = [];
    const limit = q.limit ?? 100;
    for (let i = this.ring.length - 1; i >= 0 && out.length < limit; i--) {
      const a = this.ring[i]!.alert;
      if (q.ruleId !== undefined && a.ruleId !== q.ruleId) continue;
      if (q.key !== undefined && a.key !== q.key) continue;
      if (q.from !== undefined && a.eventTimeEnd < q.from) continue;
      if (q.to !== undefined && a.eventTimeStart >= q.to) continue;
      out.push(a);
    }
    return out;
  }

  /** Alerts committed from now on. @example `hub.live().subscribe(send)` */
  live(): Observable<Alert> {
    return this.subject.asObservable();
  }

  /**
   * Alerts committed from now on, with their positions. Synchronous: an {@link entriesAfter} that
   * found nothing newer, followed by this subscription in the same turn, neither misses nor repeats
   * an alert. @example `hub.liveEntries().subscribe((e) => send(e.id, e.alert))`
   */
  liveEntries(): Observable<AlertEntry> {
    return this.entrySubject.asObservable();
  }

  /** The position of the newest alert seen (undefined while there is none). @example `hub.newestId()` */
  newestId(): string | undefined {
    return this.ring.at(-1)?.id;
  }

  /**
   * Up to `max` alerts after position `id`, oldest first, up to the newest one seen (those after it
   * come through {@link liveEntries}): from the ring when it holds `id`, else from the topic when
   * the feed can read it (embedded mode keeps every alert), else a gap and the ring's oldest
   * entries.
   *
   * @example
   * ```ts
   * hub.entriesAfter('41', 500); // { entries: [{ id: '42', alert }, …], gap: false }
   * ```
   */
  entriesAfter(id: string, max: number): EntriesAfter {
    const newest = this.newestId();
    if (newest === undefined) return { entries: [], gap: true }; // an empty topic: no such position
    const seq = this.seqById.get(id);
    if (seq !== undefined) {
      const from = seq - this.firstSeq + 1;
      return { entries: this.ring.slice(from, from + max), gap: false };
    }
    const read = this.feed.readAfter?.(id, newest, max);
    if (read !== undefined) return { entries: read, gap: false };
    return { entries: this.ring.slice(0, max), gap: true };
  }

  /** Ends every live subscription (before the HTTP server closes). @example `hub.complete()` */
  complete(): void {
    this.subject.complete();
    this.entrySubject.complete();
  }

  private publish(entry: AlertEntry): void {
    if (!this.remember(entry)) return;
    this.metrics.alertsOut.inc({ rule: entry.alert.ruleId });
    this.subject.next(entry.alert);
    this.entrySubject.next(entry);
  }

  /** Adds `entry` to the ring; false for a position seen already (a tail that restarted). */
  private remember(entry: AlertEntry): boolean {
    if (this.seqById.has(entry.id)) return false;
    this.seqById.set(entry.id, this.firstSeq + this.ring.length);
    this.ring.push(entry);
    const excess = this.ring.length - this.capacity;
    if (excess > 0) {
      for (const e of this.ring.splice(0, excess)) this.seqById.delete(e.id);
      this.firstSeq += excess;
    }
    return true;
  }
}
