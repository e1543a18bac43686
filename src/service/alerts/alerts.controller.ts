import { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestException, Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Alert } from '../../rules/index.js';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import { EXAMPLE_ALERT, errorResponse, jsonResponse } from '../openapi/api.schema.js';
import { AlertHub } from './alert-hub.js';
import { AlertStream } from './alert-stream.js';

/**
 * Alerts: `GET /alerts` (recent, newest first, filtered by `ruleId`, `key`, `from`/`to` event
 * time as epoch ms or ISO-8601, `limit` up to 1000) and `GET /alerts/stream` (Server-Sent Events,
 * one `alert` event per alert with its position in the alerts topic as `id:`, optionally filtered
 * by `ruleId`; `Last-Event-ID` or `?since=` resumes after a position: see {@link AlertStream}).
 *
 * @example
 * ```sh
 * curl 'localhost:8080/alerts?ruleId=card-testing&limit=5'
 * curl -N localhost:8080/alerts/stream
 * curl -N -H 'last-event-id: 41' localhost:8080/alerts/stream   # what came after alert 41, then live
 * ```
 */
@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly hub: AlertHub) {}

  @Get()
  @ApiOperation({ summary: 'Recent alerts, newest first' })
  @ApiQuery({ name: 'ruleId', required: false, example: 'new-device-payout' })
  @ApiQuery({
    name: 'key',
    required: false,
    description: 'the grouping key as JSON',
    example: '[["user","ann"]]',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'event time, epoch ms or ISO-8601',
    example: '2026-01-01T00:00:00Z',
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'event time, epoch ms or ISO-8601',
    example: 1767312000000,
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    example: 100,
  })
  @ApiResponse(
    jsonResponse(
      200,
      'The alerts, newest first',
      { type: 'array', items: { $ref: '#/components/schemas/Alert' } },
      [EXAMPLE_ALERT],
    ),
  )
  @ApiResponse(
    errorResponse(400, 'A malformed from, to or limit', {
      statusCode: 400,
      message: 'from must be epoch milliseconds or an ISO-8601 date-time',
    }),
  )
  recent(
    @Query('ruleId') ruleId?: string,
    @Query('key') key?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('limit') limit?: string,
  ): Alert[] {
    return this.hub.recent({
      ruleId,
      key,
      from: parseTime(from, 'from'),
      to: parseTime(to, 'to'),
      limit: Math.min(Math.max(parseOptionalInt(limit, 'limit') ?? 100, 1), 1000),
    });
  }

  @Get('stream')
  @ApiOperation({
    summary: 'Live alerts (Server-Sent Events); resumes after Last-Event-ID',
    description:
      'Each alert is `event: alert` with `id:` its position in the alerts topic. Reconnecting with `Last-Event-ID` (or `?since=`) sends the alerts after that position first (`event: gap` first when they are not all retained), then live ones. A client too slow to follow gets `event: resume` with the id to reconnect with, and the stream ends.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'ruleId', required: false, example: 'new-device-payout' })
  @ApiQuery({
    name: 'since',
    required: false,
    description: 'resume after this event id (as Last-Event-ID)',
    example: '41',
  })
  @ApiHeader({ name: 'last-event-id', required: false, description: 'resume after this event id' })
  @ApiResponse({
    status: 200,
    description:
      'An endless text/event-stream: `event: alert` (data: an Alert as JSON, id: its position), `event: gap`, `event: resume`',
    schema: { type: 'string' },
    example: `id: 42\nevent: alert\ndata: ${JSON.stringify(EXAMPLE_ALERT)}\n\n`,
  })
  @ApiResponse({
    status: 400,
    description: 'A malformed Last-Event-ID or since',
    schema: { $ref: '#/components/schemas/Error' },
    example: {
      statusCode: 400,
      message: 'Last-Event-ID / since must be an event id of this stream (e.g. "42" or "2-1817")',
    },
  })
  stream(
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
    @Headers('last-event-id') lastEventId?: string,
    @Query('ruleId') ruleId?: string,
    @Query('since') since?: string,
  ): void {
    const from = lastEventId?.trim() || since?.trim() || undefined;
    if (from !== undefined && !/^[\w.:-]{1,64}$/.test(from)) {
      throw new BadRequestException({
        statusCode: 400,
        message: 'Last-Event-ID / since must be an event id of this stream (e.g. "42" or "2-1817")',
      });
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.flushHeaders();
    new AlertStream(this.hub, res, { since: from, ruleId: ruleId || undefined }).start();
  }
}

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) {
    throw new BadRequestException({
      statusCode: 400,
      message: `${name} must be epoch milliseconds or an ISO-8601 date-time`,
    });
  }
  return n;
}
