import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module.js';
import { PipelineService } from './pipeline.service.js';

/**
 * The embedded engine job ({@link PipelineService}).
 *
 * @example
 * ```ts
 * imports: [PipelineModule]
 * ```
 */
@Module({ imports: [AlertsModule], providers: [PipelineService], exports: [PipelineService] })
export class PipelineModule {}
