import { BadRequestException, Controller, Get, type MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { filter, map, type Observable } from 'rxjs';
import type { Alert } from '../../rules/index.js';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import { AlertHub } from './alert-hub.js';

/**
 * Alerts: `GET /alerts` (recent, newest first, filtered by `ruleId`, `key`, `from`/`to` event
 * time as epoch ms or ISO-8601, `limit` up to 1000) and `GET /alerts/stream` (Server-Sent Events,
 * one `alert` event per alert, optionally filtered by `ruleId`).
 *
 * @example
 * ```sh
 * curl 'localhost:8080/alerts?ruleId=card-testing&limit=5'
 * curl -N localhost:8080/alerts/stream
 * ```
 */
@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly hub: AlertHub) {}

  @Get()
  @ApiOperation({ summary: 'Recent alerts, newest first' })
  @ApiQuery({ name: 'ruleId', required: false })
  @ApiQuery({ name: 'key', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'event time, epoch ms or ISO-8601' })
  @ApiQuery({ name: 'to', required: false, description: 'event time, epoch ms or ISO-8601' })
  @ApiQuery({ name: 'limit', required: false, type: Number })
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

  @Sse('stream')
  @ApiOperation({ summary: 'Live alerts (Server-Sent Events)' })
  @ApiQuery({ name: 'ruleId', required: false })
  stream(@Query('ruleId') ruleId?: string): Observable<MessageEvent> {
    return this.hub.live().pipe(
      filter((a) => ruleId === undefined || a.ruleId === ruleId),
      map((a): MessageEvent => ({ type: 'alert', id: a.alertId, data: a })),
    );
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
