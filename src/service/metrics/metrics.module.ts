import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { ServiceMetrics } from './service-metrics.js';

/**
 * Prometheus metrics: {@link ServiceMetrics} for every module (global) and `GET /metrics`.
 *
 * @example
 * ```ts
 * imports: [MetricsModule]
 * ```
 */
@Global()
@Module({ providers: [ServiceMetrics], controllers: [MetricsController], exports: [ServiceMetrics] })
export class MetricsModule {}
