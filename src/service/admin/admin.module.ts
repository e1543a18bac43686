import { Module } from '@nestjs/common';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { AdminController } from './admin.controller.js';

/**
 * Job operations (`/admin`).
 *
 * @example
 * ```ts
 * imports: [AdminModule]
 * ```
 */
@Module({ imports: [PipelineModule], controllers: [AdminController] })
export class AdminModule {}
