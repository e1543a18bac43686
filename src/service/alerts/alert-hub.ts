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
import { ALERT_FEED, type AlertFeed } from './alert-feed.js';

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
 * The read side of the `alerts` topic: the engine job writes alerts there exactly once (they
 * become visible when their checkpoint completes); the hub tails the topic (read-committed,
 * through the mode's {@link AlertFeed}: local log or Kafka) and
 * feeds the ring buffer of recent alerts (`GET /alerts`, preloaded from the topic at startup),
 * the live subscribers (`GET /alerts/stream`) and `alerts_out_total`. So what HTTP clients see
 * is exactly what downstream readers of the topic see, once each.
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
  private readonly ring: Alert[] = [];
  private readonly subject = new Subject<Alert>();
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
    await this.feed.start((alert, preexisting) => {
      if (preexisting) this.remember(alert);
      else this.publish(alert);
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
      const a = this.ring[i]!;
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

  /** Ends every live subscription (before the HTTP server closes). @example `hub.complete()` */
  complete(): void {
    this.subject.complete();
  }

  private publish(alert: Alert): void {
    this.remember(alert);
    this.metrics.alertsOut.inc({ rule: alert.ruleId });
    this.subject.next(alert);
  }

  private remember(alert: Alert): void {
    this.ring.push(alert);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }
}
