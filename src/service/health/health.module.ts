import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { KafkaHealthIndicator } from './kafka-health.indicator.js';
import { PipelineHealthIndicator } from './pipeline-health.indicator.js';

/**
 * Health checks (terminus).
 *
 * @example
 * ```ts
 * imports: [HealthModule]
 * ```
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [PipelineHealthIndicator, KafkaHealthIndicator],
  controllers: [HealthController],
})
export class HealthModule {}
