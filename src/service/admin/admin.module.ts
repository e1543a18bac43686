import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';

/**
 * Job operations (`/admin`).
 *
 * @example
 * ```ts
 * imports: [AdminModule]
 * ```
 */
@Module({ controllers: [AdminController] })
export class AdminModule {}
