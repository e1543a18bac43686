import { Injectable, Optional } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaConnection } from '../kafka/kafka-connection.js';

/**
 * Terminus indicator `kafka` (Kafka mode only; embedded mode has no such check): up when the
 * cluster answers a metadata request within 3 s.
 *
 * @example
 * ```ts
 * await health.check([() => kafka.isHealthy()]);
 * ```
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly kafka?: KafkaConnection,
  ) {}

  /** Whether this check applies (Kafka mode). */
  get enabled(): boolean {
    return this.kafka !== undefined;
  }

  async isHealthy(): Promise<HealthIndicatorResult<'kafka'>> {
    const session = this.indicators.check('kafka');
    if (this.kafka === undefined) return session.up({ mode: 'embedded' });
    return (await this.kafka.ping()) ? session.up() : session.down({ reason: 'the cluster does not answer' });
  }
}
