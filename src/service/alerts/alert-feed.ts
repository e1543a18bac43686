import type { Alert } from '../../rules/index.js';

/**
 * A port: the read side of the alerts topic for the {@link AlertHub}. `start` hands over the
 * most recent alerts already in the topic (`preexisting`: not counted, not streamed) and then
 * every alert committed from now on, read_committed. Embedded mode: the local log's `alerts`
 * topic; Kafka mode: the alerts topic.
 *
 * @example
 * ```ts
 * await feed.start((alert, preexisting) => hub.accept(alert, preexisting), 1000);
 * ```
 */
export interface AlertFeed {
  start(onAlert: (alert: Alert, preexisting: boolean) => void, recent: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Injection token of the {@link AlertFeed}.
 *
 * @example
 * ```ts
 * constructor(@Inject(ALERT_FEED) private readonly feed: AlertFeed) {}
 * ```
 */
export const ALERT_FEED = Symbol('ALERT_FEED');
