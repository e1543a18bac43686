import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiKeyGuard } from './common/api-key.guard.js';
import { JsonBodyGuard } from './common/json-body.guard.js';
import { ConfigModule } from './config/config.module.js';
import type { ServiceConfig } from './config/service-config.js';
import { ConsoleModule } from './console/console.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { RulesModule } from './rules/rules.module.js';
import { StorageModule } from './storage/storage.module.js';

/**
 * The root module of the rule service (embedded or Kafka mode): config, storage (local log or Kafka),
 * metrics, rules, ingest, alerts, pipeline, health, admin; the API-key guard on every route, then
 * the JSON content-type guard on the routes that read a body.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule.forRoot(config));
 * ```
 */
@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot(config),
        MetricsModule,
        RulesModule,
        AlertsModule,
        PipelineModule.forRoot(config),
        IngestModule,
        HealthModule,
        AdminModule,
        ConsoleModule,
      ],
      // In this order: a caller without the key gets 401 before a 415 for its body.
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: JsonBodyGuard },
      ],
    };
  }
}
