import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text exposition format 0.0.4',
    schema: { type: 'string' },
    example:
      '# HELP events_in_total Events accepted by the ingest\n# TYPE events_in_total counter\nevents_in_total 4\n',
  })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
