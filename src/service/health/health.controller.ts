import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { EXAMPLE_HEALTH, jsonResponse } from '../openapi/api.schema.js';
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
  @ApiResponse(
    jsonResponse(200, 'The process answers', 'Health', { status: 'ok', info: {}, error: {}, details: {} }),
  )
  @ApiResponse(
    jsonResponse(503, 'Shutting down', 'Health', {
      status: 'shutting_down',
      info: {},
      error: {},
      details: {},
    }),
  )
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the engine job runs (Kafka mode: and the cluster answers)' })
  @ApiResponse(jsonResponse(200, 'Ready; the last checkpoint age is reported', 'Health', EXAMPLE_HEALTH))
  @ApiResponse(
    jsonResponse(503, 'Not ready', 'Health', {
      status: 'error',
      info: {},
      error: { pipeline: { status: 'down', state: 'restarting', restarts: 1, checkpointing: true } },
      details: { pipeline: { status: 'down', state: 'restarting', restarts: 1, checkpointing: true } },
    }),
  )
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.pipeline.isHealthy(),
      ...(this.kafka.enabled ? [() => this.kafka.isHealthy()] : []),
    ]);
  }
}
