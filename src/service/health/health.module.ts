import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { HealthController } from './health.controller.js';
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
  imports: [TerminusModule.forRoot({ logger: false }), PipelineModule],
  providers: [PipelineHealthIndicator],
  controllers: [HealthController],
})
export class HealthModule {}
