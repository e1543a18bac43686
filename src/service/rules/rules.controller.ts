import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Rule } from '../../rules/index.js';
import { requestCaller } from '../common/api-key.guard.js';
import { parseOptionalInt } from '../common/parse-optional-int.js';
import {
  EXAMPLE_RULE,
  EXAMPLE_RULE_STATS,
  EXAMPLE_RULE_VERSIONS,
  EXAMPLE_THRESHOLD_RULE,
  errorResponse,
  jsonBody,
  jsonResponse,
} from '../openapi/api.schema.js';
import { Pipeline, type RuleRuntimeStats } from '../pipeline/pipeline.js';
import { invalidRule, RulesService, type RuleVersionEntry } from './rules.service.js';

const RULE_BODY = jsonBody('A rule document (rules/schema.json): pattern or threshold rule', 'Rule', {
  pattern: EXAMPLE_RULE,
  threshold: EXAMPLE_THRESHOLD_RULE,
});
const RULE_ID = { name: 'id', description: 'the rule id', example: 'new-device-payout' };
const INVALID = errorResponse(400, 'Invalid rule: { errors: [{ path, message }] } (JSON Pointers)');
const NOT_FOUND = errorResponse(404, 'No such rule');

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
 * | GET | /rules/:id/versions | the rule's versions, newest first |
 * | GET | /rules/:id/stats | alerts, late events, partial matches, condition errors, drops over caps, health |
 * | POST | /rules/validate | validate without saving: `{ valid, errors?, warnings? }` |
 * | POST | /rules/dry-run | `{ rule \| ruleId, events }` -> the first 100 alerts of a throwaway job in a worker thread (`alertCount`, `truncated`), condition errors; 422 over `DRY_RUN_TIMEOUT_MS`, 429 when 2 are running |
 *
 * @example
 * ```sh
 * curl -X POST -H 'content-type: application/json' -d @rules/card-testing.json localhost:8080/rules
 * ```
 */
@ApiTags('rules')
@Controller('rules')
export class RulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly pipeline: Pipeline,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a rule' })
  @ApiBody(RULE_BODY)
  @ApiResponse(
    jsonResponse(
      201,
      'Created: the stored rule, with `warnings: [{ path, message }]` when any',
      'Rule',
      EXAMPLE_RULE,
    ),
  )
  @ApiResponse(INVALID)
  @ApiResponse(
    errorResponse(409, 'A rule with this id exists', {
      statusCode: 409,
      message:
        'rule "new-device-payout" already exists at version 1; replace it with PUT /rules/new-device-payout',
      currentVersion: 1,
    }),
  )
  create(@Body() body: unknown, @Req() req: unknown): Promise<Rule> {
    return this.rules.create(body, requestCaller(req));
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Validate a rule without saving it',
    description: 'Any JSON value is judged: errors are JSON Pointers into the posted document.',
  })
  @ApiBody(RULE_BODY)
  @ApiResponse(
    jsonResponse(200, 'The verdict', 'ValidationResult', {
      valid: false,
      errors: [{ path: '/alert/severity', message: 'must be one of low, medium, high, critical' }],
    }),
  )
  validate(@Body() body: unknown): {
    valid: boolean;
    errors?: readonly { path: string; message: string }[];
    warnings?: readonly { path: string; message: string }[];
  } {
    const v = this.rules.validate(body);
    if (!v.valid) return { valid: false, errors: v.errors };
    return v.warnings === undefined ? { valid: true } : { valid: true, warnings: v.warnings };
  }

  @Post('dry-run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a posted or stored rule over sample events on a throwaway job' })
  @ApiResponse(
    jsonResponse(
      200,
      'The first 100 alerts (at most 1 MiB), their count, refused sample events, condition errors by condition',
      'DryRunResult',
      {
        rule: { id: 'new-device-payout', version: 1 },
        alerts: [],
        alertCount: 0,
        truncated: false,
        invalidEvents: [{ index: 1, reason: 'ts is missing' }],
        invalidEventCount: 1,
        conditionErrors: 0,
        conditionErrorDetails: [],
      },
    ),
  )
  @ApiResponse(
    errorResponse(
      400,
      'Invalid rule or events: { errors: [{ path, message }] } (paths in the request body)',
      {
        statusCode: 400,
        message: 'invalid rule',
        errors: [{ path: '/rule/kind', message: 'must be one of pattern, threshold' }],
      },
    ),
  )
  @ApiResponse(errorResponse(404, 'No stored rule with this ruleId'))
  @ApiResponse(errorResponse(422, 'The dry run took longer than DRY_RUN_TIMEOUT_MS or ran out of memory'))
  @ApiResponse(errorResponse(429, 'Too many dry runs at the same time'))
  @ApiBody(
    jsonBody('A rule (or the id of a stored one) and sample events', 'DryRunRequest', {
      posted: {
        rule: EXAMPLE_RULE,
        events: [
          { type: 'login', user: 'ann', newDevice: true, ts: 1000 },
          { type: 'payout', user: 'ann', amount: 900, ts: 2000 },
        ],
      },
      stored: { ruleId: 'card-testing', events: [{ type: 'payment', card: '4111', amount: 1.5, ts: 1000 }] },
    }),
  )
  dryRun(@Body() body: unknown): Promise<unknown> {
    return this.rules.dryRun(body);
  }

  @Get()
  @ApiOperation({ summary: 'List rules' })
  @ApiQuery({ name: 'status', required: false, enum: ['active', 'paused'] })
  @ApiResponse(
    jsonResponse(
      200,
      'The rules (deleted ones left out)',
      { type: 'array', items: { $ref: '#/components/schemas/Rule' } },
      [EXAMPLE_RULE, EXAMPLE_THRESHOLD_RULE],
    ),
  )
  list(@Query('status') status?: string): Rule[] {
    return this.rules.list(status);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a rule' })
  @ApiParam(RULE_ID)
  @ApiResponse(jsonResponse(200, 'The rule', 'Rule', EXAMPLE_RULE))
  @ApiResponse(NOT_FOUND)
  get(@Param('id') id: string): Rule {
    return this.rules.get(id);
  }

  @Get(':id/versions')
  @ApiOperation({
    summary: 'The versions of a rule, newest first (deletions included)',
    description:
      'Embedded mode: every version ever written. Kafka mode: the versions the compacted rules topic still held when this replica started, and every change since.',
  })
  @ApiParam(RULE_ID)
  @ApiResponse(jsonResponse(200, 'The versions, newest first', 'RuleVersions', EXAMPLE_RULE_VERSIONS))
  @ApiResponse(NOT_FOUND)
  versions(@Param('id') id: string): RuleVersionEntry[] {
    return this.rules.versions(id);
  }

  @Get(':id/stats')
  @ApiOperation({
    summary: "A rule's activity: alerts, late events, partial matches, condition errors, drops over its caps",
    description:
      'Counts of this process since it started (in Kafka mode, of this replica). `health` is `degraded` while the rule dropped partial matches or alerts over its `limits` in the last 10 minutes.',
  })
  @ApiParam(RULE_ID)
  @ApiResponse(jsonResponse(200, "The rule's activity", 'RuleStats', EXAMPLE_RULE_STATS))
  @ApiResponse(NOT_FOUND)
  stats(@Param('id') id: string): RuleRuntimeStats {
    this.rules.get(id); // 404 for an unknown rule
    return this.pipeline.statsOf(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a rule (version = stored + 1)' })
  @ApiParam(RULE_ID)
  @ApiBody(RULE_BODY)
  @ApiResponse(
    jsonResponse(200, 'The stored rule, with `warnings: [{ path, message }]` when any', 'Rule', {
      ...EXAMPLE_RULE,
      version: 2,
    }),
  )
  @ApiResponse(INVALID)
  @ApiResponse(NOT_FOUND)
  @ApiResponse(
    errorResponse(409, 'Stale version: the body must carry the stored version + 1', {
      statusCode: 409,
      message:
        'stale version: rule "new-device-payout" is at version 2, so a replacement must carry version 3 (got 2)',
      currentVersion: 2,
    }),
  )
  replace(@Param('id') id: string, @Body() body: unknown, @Req() req: unknown): Promise<Rule> {
    return this.rules.replace(id, body, requestCaller(req));
  }

  @Patch(':id/status')
  @ApiOperation({ summary: 'Pause or resume a rule (stored as the next version)' })
  @ApiParam(RULE_ID)
  @ApiBody(
    jsonBody(
      'The new status; ifVersion refuses the change unless the stored version is that one',
      'StatusChange',
      {
        pause: { status: 'paused', ifVersion: 1 },
        resume: { status: 'active' },
      },
    ),
  )
  @ApiResponse(
    jsonResponse(200, 'The stored rule', 'Rule', { ...EXAMPLE_RULE, version: 2, status: 'paused' }),
  )
  @ApiResponse(
    errorResponse(400, 'Invalid status change', {
      statusCode: 400,
      message: 'invalid status change',
      errors: [{ path: '/status', message: 'must be "active" or "paused"' }],
    }),
  )
  @ApiResponse(NOT_FOUND)
  @ApiResponse(errorResponse(409, 'ifVersion is not the stored version'))
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
  @ApiParam(RULE_ID)
  @ApiQuery({
    name: 'ifVersion',
    required: false,
    schema: { type: 'integer', minimum: 1 },
    example: 1,
    description: 'refuse (409) unless the stored version is this one',
  })
  @ApiResponse({ status: 204, description: 'Deleted; the id can come back only with a higher version' })
  @ApiResponse(
    errorResponse(400, 'ifVersion is not an integer', {
      statusCode: 400,
      message: 'ifVersion must be an integer',
    }),
  )
  @ApiResponse(NOT_FOUND)
  @ApiResponse(errorResponse(409, 'ifVersion is not the stored version'))
  async delete(
    @Param('id') id: string,
    @Req() req: unknown,
    @Query('ifVersion') ifVersion?: string,
  ): Promise<void> {
    await this.rules.delete(id, parseOptionalInt(ifVersion, 'ifVersion'), requestCaller(req));
  }
}
