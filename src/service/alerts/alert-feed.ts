import type { Alert } from '../../rules/index.js';

/**
 * An alert with its position in the alerts topic: the SSE event id that a reconnecting client
 * sends back (`Last-Event-ID`) to resume after it. Embedded mode: the local log offset (`"42"`);
 * Kafka mode: partition and offset (`"2-1817"`).
 *
 * @example
 * ```ts
 * const e: AlertEntry = { id: '42', alert };
 * ```
 */
export interface AlertEntry {
  readonly id: string;
  readonly alert: Alert;
}

/**
 * A port: the read side of the alerts topic for the {@link AlertHub}. `start` hands over the
 * most recent alerts already in the topic (`preexisting`: not counted, not streamed) and then
 * every alert committed from now on, read_committed, each with its position `id` (see
 * {@link AlertEntry}). Embedded mode: the local log's `alerts` topic; Kafka mode: the alerts topic.
 *
 * @example
 * ```ts
 * await feed.start((alert, preexisting, id) => hub.accept(alert, preexisting, id), 1000);
 * ```
 */
export interface AlertFeed {
  start(onAlert: (alert: Alert, preexisting: boolean, id: string) => void, recent: number): Promise<void>;
  stop(): Promise<void>;
  /**
   * Optional (embedded mode): up to `max` alerts of the topic after position `afterId`, up to and
   * including position `untilId`, read from the topic itself (whatever the hub still retains);
   * undefined when `afterId` is not a position of this topic at or before `untilId`.
   */
  readAfter?(afterId: string, untilId: string, max: number): AlertEntry[] | undefined;
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
