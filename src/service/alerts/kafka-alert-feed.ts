import { Logger } from '@nestjs/common';
import type { Alert } from '../../rules/index.js';
import type { KafkaConnection } from '../kafka/kafka-connection.js';
import { TopicTailer } from '../kafka/topic-tailer.js';
import type { AlertFeed } from './alert-feed.js';

/**
 * Kafka mode's {@link AlertFeed}: every replica reads the whole alerts topic read_committed (so
 * `GET /alerts` and the SSE stream of any replica show every alert, whichever replica's task
 * produced it), starting with the last `recent` records of each partition. An alert's position
 * is `<partition>-<offset>`: the same on every replica and across restarts, so an SSE client can
 * resume on any replica from what the hub there retains.
 *
 * @example
 * ```ts
 * await new KafkaAlertFeed(kafka).start((a, preexisting) => console.log(a.alertId), 1000);
 * ```
 */
export class KafkaAlertFeed implements AlertFeed {
  private readonly logger = new Logger('AlertHub');
  private tail: TopicTailer | undefined;

  constructor(private readonly kafka: KafkaConnection) {}

  async start(
    onAlert: (alert: Alert, preexisting: boolean, id: string) => void,
    recent: number,
  ): Promise<void> {
    this.tail = await TopicTailer.start({
      port: this.kafka.port,
      admin: this.kafka.admin,
      topic: this.kafka.topics.alerts,
      groupPrefix: this.kafka.settings.appId,
      lastRecordsPerPartition: recent,
      onRecord: (r, preexisting) => {
        let alert: Alert | null;
        try {
          alert = JSON.parse(r.value?.toString('utf8') ?? 'null') as Alert | null;
        } catch {
          alert = null;
        }
        if (alert === null || typeof alert !== 'object') {
          this.logger.warn(`skipping unreadable alert record ${r.partition}@${r.offset}`);
          return;
        }
        onAlert(alert, preexisting, `${r.partition}-${r.offset}`);
      },
    });
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
  }
}
