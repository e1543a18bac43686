import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ServiceMetrics } from './service-metrics.js';

/**
 * `GET /metrics`: Prometheus text exposition.
 *
 * @example
 * ```sh
 * curl localhost:8080/metrics
 * ```
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
