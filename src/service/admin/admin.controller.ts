import { Controller, HttpCode, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { errorResponse, jsonResponse } from '../openapi/api.schema.js';
import { Pipeline } from '../pipeline/pipeline.js';

/**
 * Operations on the job. `POST /admin/savepoint` takes a savepoint of the running job into
 * `DATA_DIR/savepoints/chk-<id>` (kept until deleted by hand) and answers its id and directory.
 * Restoring from a savepoint is not exposed by the service yet (the engine supports it with
 * `execute({ restoreFrom })`); the service restores from its latest checkpoint on boot.
 *
 * @example
 * ```sh
 * curl -X POST localhost:8080/admin/savepoint   # {"checkpointId":12,"pointer":"/data/savepoints/chk-12"}
 * ```
 */
@ApiTags('operations')
@Controller('admin')
export class AdminController {
  constructor(private readonly pipeline: Pipeline) {}

  @Post('savepoint')
  @HttpCode(201)
  @ApiOperation({ summary: 'Take a savepoint of the engine job' })
  @ApiResponse(
    jsonResponse(201, 'The savepoint: its id and directory', 'Savepoint', {
      checkpointId: 12,
      pointer: '/data/savepoints/chk-12',
    }),
  )
  @ApiResponse(errorResponse(503, 'The job is not running'))
  async savepoint(): Promise<{ checkpointId: number; pointer: string | undefined }> {
    try {
      return await this.pipeline.savepoint();
    } catch (e) {
      throw new ServiceUnavailableException({ statusCode: 503, message: `savepoint failed: ${String(e)}` });
    }
  }
}
