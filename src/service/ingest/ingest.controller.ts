import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import type { DeadLetterRecord } from '../storage/dead-letter-record.js';
import { DeadLetterStore } from './dead-letter-store.js';
import { type IngestResult, IngestService } from './ingest.service.js';

/**
 * Event ingest over HTTP: `POST /events` (one event or an array; 202 with accepted and
 * dead-lettered counts; 400 when the body is `null` or another non-object JSON value, 415 when
 * it is not JSON) and `GET /events/dead-letters` (the most recent refused inputs).
 *
 * @example
 * ```sh
 * curl -X POST -H 'content-type: application/json' -d '[{"type":"login_failed","ts":1,"user":"ann"}]' localhost:8080/events
 * ```
 */
@ApiTags('events')
@Controller('events')
export class IngestController {
  constructor(
    private readonly ingestService: IngestService,
    private readonly deadLetters: DeadLetterStore,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Ingest one event or an array of events' })
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'object', required: ['type', 'ts'] },
        { type: 'array', items: { type: 'object', required: ['type', 'ts'] } },
      ],
    },
  })
  ingest(@Body() body: unknown): Promise<IngestResult> {
    if (typeof body !== 'object' || body === null) {
      // Not a batch with a bad event (those are dead-lettered one by one): the request is wrong.
      const got = body === null ? 'null' : body === undefined ? 'an empty body' : `a ${typeof body}`;
      throw new BadRequestException({
        statusCode: 400,
        message: `body must be an event object or an array of events, got ${got}`,
      });
    }
    return this.ingestService.ingest(body);
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Most recent dead-lettered inputs with their reasons' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  recentDeadLetters(@Query('limit') limit?: string): DeadLetterRecord[] {
    return this.deadLetters.recent(Math.min(Math.max(parseOptionalInt(limit, 'limit') ?? 100, 1), 200));
  }
}
