import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import { errorResponse, jsonBody, jsonResponse } from '../openapi/api.schema.js';
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
  @ApiOperation({ summary: 'Ingest one event or an array of events' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Events of the request without an `id` get the id `<key>:<index>`, so that a resent request is deduplicated (DEDUP_WINDOW_MS)',
  })
  @ApiBody(
    jsonBody('One event or an array; malformed events are dead-lettered with the reason', 'EventBatch', {
      one: { type: 'login', user: 'ann', newDevice: true, ip: '203.0.113.9', ts: '2026-01-01T10:00:00Z' },
      batch: [
        { type: 'payout', user: 'ann', amount: 900, ts: 1767261780000 },
        { type: 'payout', user: 'bob' },
      ],
    }),
  )
  @ApiResponse(
    jsonResponse(202, 'Accepted events and refused ones (index and reason)', 'IngestResult', {
      accepted: 1,
      deadLettered: 1,
      deadLetters: [{ index: 1, reason: 'ts is missing' }],
    }),
  )
  @ApiResponse(
    errorResponse(400, 'The body is not an object or an array', {
      statusCode: 400,
      message: 'body must be an event object or an array of events, got null',
    }),
  )
  ingest(@Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string): Promise<IngestResult> {
    if (typeof body !== 'object' || body === null) {
      // Not a batch with a bad event (those are dead-lettered one by one): the request is wrong.
      const got = body === null ? 'null' : body === undefined ? 'an empty body' : `a ${typeof body}`;
      throw new BadRequestException({
        statusCode: 400,
        message: `body must be an event object or an array of events, got ${got}`,
      });
    }
    return this.ingestService.ingest(body, idempotencyKey);
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Most recent dead-lettered inputs with their reasons' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 100 },
    example: 20,
  })
  @ApiResponse(
    jsonResponse(
      200,
      'The most recent dead letters, newest first',
      { type: 'array', items: { $ref: '#/components/schemas/DeadLetter' } },
      [
        {
          at: 1767261790000,
          source: 'http',
          reason: 'ts is missing',
          payload: { type: 'payout', user: 'bob' },
        },
      ],
    ),
  )
  @ApiResponse(
    errorResponse(400, 'limit is not an integer', { statusCode: 400, message: 'limit must be an integer' }),
  )
  recentDeadLetters(@Query('limit') limit?: string): DeadLetterRecord[] {
    return this.deadLetters.recent(Math.min(Math.max(parseOptionalInt(limit, 'limit') ?? 100, 1), 200));
  }
}
