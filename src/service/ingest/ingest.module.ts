import { Module } from '@nestjs/common';
import { DeadLetterStore } from './dead-letter-store.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

/**
 * HTTP event ingest and the dead-letter store (exported: the pipelines dead-letter late events).
 *
 * @example
 * ```ts
 * imports: [IngestModule]
 * ```
 */
@Module({
  providers: [IngestService, DeadLetterStore],
  controllers: [IngestController],
  exports: [DeadLetterStore],
})
export class IngestModule {}
