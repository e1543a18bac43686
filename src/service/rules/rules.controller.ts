import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Rule } from '../../rules/index.js';
import { requestCaller } from '../common/api-key.guard.js';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import { invalidRule, RulesService } from './rules.service.js';

const RULE_BODY = {
  description: 'A rule document (rules/schema.json): pattern or threshold rule',
  schema: { type: 'object', additionalProperties: true },
};

/**
 * The rules HTTP API.
 *
 * | method | path | |
 * | --- | --- | --- |
 * | POST | /rules | create (201; 400 with `{ errors: [{ path, message }] }`; 409 when it exists) |
 * | PUT | /rules/:id | replace; body `version` must be the stored version + 1, else 409 |
 * | PATCH | /rules/:id/status | `{ status: 'active' \| 'paused', ifVersion? }` |
 * | DELETE | /rules/:id?ifVersion= | delete (204) |
 * | GET | /rules/:id, /rules?status= | read |
 * | POST | /rules/validate | validate without saving: `{ valid, errors? }` |
 * | POST | /rules/dry-run | `{ rule \| ruleId, events }` -> the first 100 alerts of a throwaway job in a worker thread (`alertCount`, `truncated`), condition errors; 422 over `DRY_RUN_TIMEOUT_MS`, 429 when 2 are running |
 *
 * @example
 * ```sh
 * curl -X POST -H 'content-type: application/json' -d @rules/card-testing.json localhost:8080/rules
 * ```
 */
@ApiTags('rules')
@ApiSecurity('api-key')
@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a rule' })
  @ApiBody(RULE_BODY)
  @ApiResponse({ status: 201, description: 'Created' })
  @ApiResponse({ status: 400, description: 'Invalid rule: { errors: [{ path, message }] }' })
  @ApiResponse({ status: 409, description: 'A rule with this id exists' })
  create(@Body() body: unknown, @Req() req: unknown): Promise<Rule> {
    return this.rules.create(body, requestCaller(req));
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a rule without saving it' })
  @ApiBody(RULE_BODY)
  validate(@Body() body: unknown): { valid: boolean; errors?: readonly { path: string; message: string }[] } {
    const v = this.rules.validate(body);
    return v.valid ? { valid: true } : { valid: false, errors: v.errors };
  }

  @Post('dry-run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a posted or stored rule over sample events on a throwaway job' })
  @ApiResponse({
    status: 200,
    description:
      '{ rule, alerts (first 100, at most 1 MiB), alertCount, truncated, invalidEvents, invalidEventCount, rejected?, conditionErrors, conditionErrorDetails: [{ path, message, count, eventIndex? }], warnings? }',
  })
  @ApiResponse({ status: 400, description: 'Invalid rule or events: { errors: [{ path, message }] }' })
  @ApiResponse({
    status: 422,
    description: 'The dry run took longer than DRY_RUN_TIMEOUT_MS or ran out of memory',
  })
  @ApiResponse({ status: 429, description: 'Too many dry runs at the same time' })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        rule: { type: 'object' },
        ruleId: { type: 'string' },
        events: { type: 'array', items: { type: 'object' } },
      },
    },
  })
  dryRun(@Body() body: unknown): Promise<unknown> {
    return this.rules.dryRun(body);
  }

  @Get()
  @ApiOperation({ summary: 'List rules' })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'paused'] })
  list(@Query('status') status?: string): Rule[] {
    return this.rules.list(status);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a rule' })
  get(@Param('id') id: string): Rule {
    return this.rules.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a rule (version = stored + 1)' })
  @ApiBody(RULE_BODY)
  @ApiResponse({ status: 409, description: 'Stale version' })
  replace(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown): Promise<Rule> {
    return this.rules.replace(id, body, requestCaller(req));
  }

  @Patch(':id/status')
  @ApiOperation({ summary: 'Pause or resume a rule' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['status'],
      properties: { status: { enum: ['active', 'paused'] }, ifVersion: { type: 'integer' } },
    },
  })
  setStatus(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown): Promise<Rule> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as {
      status?: unknown;
      ifVersion?: unknown;
    };
    if (b.ifVersion !== undefined && !Number.isSafeInteger(b.ifVersion)) {
      throw invalidRule([{ path: '/ifVersion', message: 'must be an integer' }], 'invalid status change');
    }
    return this.rules.setStatus(id, b.status, b.ifVersion as number | undefined, requestCaller(req));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule' })
  @ApiQuery({ name: 'ifVersion', required: false, type: Number })
  async delete(
    @Param('id') id: string,
    @Req() req: unknown,
    @Query('ifVersion') ifVersion?: string,
  ): Promise<void> {
    await this.rules.delete(id, parseOptionalInt(ifVersion, 'ifVersion'), requestCaller(req));
  }
}
