import { type DynamicModule, Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { KafkaPipelineService } from './kafka-pipeline.service.js';
import { Pipeline } from './pipeline.js';
import { PipelineService } from './pipeline.service.js';

/**
 * The engine side (global): {@link Pipeline}, implemented by the embedded job
 * ({@link PipelineService}) or, with `KAFKA_BROKERS` set, by Kafka mode's partition tasks
 * ({@link KafkaPipelineService}).
 *
 * @example
 * ```ts
 * imports: [PipelineModule.forRoot(config)]
 * ```
 */
@Module({})
export class PipelineModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: PipelineModule,
      global: true,
      imports: [AlertsModule, IngestModule],
      providers: [
        {
          provide: Pipeline,
          useClass: config.kafkaBrokers === undefined ? PipelineService : KafkaPipelineService,
        },
      ],
      exports: [Pipeline],
    };
  }
}
