import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from './kafka-health.indicator.js';
import { PipelineHealthIndicator } from './pipeline-health.indicator.js';

/**
 * Liveness (`GET /health/live`: the process answers) and readiness (`GET /health/ready`: the
 * engine job runs; 503 otherwise).
 *
 * @example
 * ```sh
 * curl localhost:8080/health/ready
 * ```
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly pipeline: PipelineHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the engine job runs (Kafka mode: and the cluster answers)' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.pipeline.isHealthy(),
      ...(this.kafka.enabled ? [() => this.kafka.isHealthy()] : []),
    ]);
  }
}
