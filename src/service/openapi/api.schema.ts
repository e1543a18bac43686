import { RULE_SCHEMA } from '../../rules/rule-schema.js';

/**
 * The OpenAPI 3.1 component schemas of the HTTP API (JSON Schema 2020-12, each with `examples`
 * that validate against it: test/service/openapi.test.ts checks them), and helpers the
 * controllers' decorators use to reference them. The rule document is `rules/schema.json` itself,
 * its `$defs` hoisted into `components.schemas` as `Rule<Def>` (client generators resolve
 * `#/components/schemas/...`, not a nested `$defs`).
 *
 * @example
 * ```ts
 * @ApiResponse(jsonResponse(200, 'The rule', 'Rule', EXAMPLE_RULE))
 * ```
 */
type Schema = Record<string, unknown>;

/** A `$ref` to a component schema. @example `ref('Rule') // { $ref: '#/components/schemas/Rule' }` */
export function ref(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

/** A rule as README's first example (a login from a new device, then a payout above 500). */
export const EXAMPLE_RULE = {
  id: 'new-device-payout',
  version: 1,
  status: 'active',
  kind: 'pattern',
  description: 'A login from a new device, then a payout above 500 within 10 minutes',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login" && e.newDevice == true' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: {
    severity: 'high',
    message: 'payout of {{payout.amount}} after a new-device login for {{key}}',
    fields: ['user', 'ip'],
  },
} as const;

/** A threshold rule: 5 failed logins of one user in 1 minute. */
export const EXAMPLE_THRESHOLD_RULE = {
  id: 'failed-logins',
  version: 3,
  status: 'paused',
  kind: 'threshold',
  key: ['user'],
  filter: 'e.type == "login_failed"',
  aggregate: 'count',
  window: { type: 'tumbling', size: 'PT1M' },
  compare: { op: '>=', value: 5 },
  alert: { severity: 'medium', message: '{{count}} failed logins for {{key}}' },
} as const;

const LOGIN_EVENT = {
  type: 'login',
  user: 'ann',
  newDevice: true,
  ip: '203.0.113.9',
  ts: 1767261600000,
} as const;
const PAYOUT_EVENT = { type: 'payout', user: 'ann', amount: 900, ts: 1767261780000 } as const;

/** An alert of {@link EXAMPLE_RULE}. */
export const EXAMPLE_ALERT = {
  alertId: '772bbbbe5f0c4a51',
  kind: 'match',
  ruleId: 'new-device-payout',
  version: 1,
  key: '[["user","ann"]]',
  severity: 'high',
  message: 'payout of 900 after a new-device login for user=ann',
  stages: { login: [LOGIN_EVENT], payout: [PAYOUT_EVENT] },
  fields: { user: 'ann', ip: '203.0.113.9' },
  eventTimeStart: 1767261600000,
  eventTimeEnd: 1767261780000,
} as const;

/** The 400 of an invalid rule. */
export const EXAMPLE_RULE_VERSIONS = [
  {
    version: 2,
    at: 1767261660000,
    status: 'paused',
    rule: { ...EXAMPLE_RULE, version: 2, status: 'paused' },
  },
  { version: 1, at: 1767261600000, status: 'active', rule: EXAMPLE_RULE },
];

export const EXAMPLE_RULE_STATS = {
  ruleId: 'new-device-payout',
  health: 'degraded',
  degradedReason: 'more than 100 alerts per key per minute',
  degradedAt: 1767261600000,
  alerts: 42,
  lateEvents: 3,
  partialMatches: 118,
  droppedPartialMatches: 0,
  droppedAlerts: 17,
  conditionErrors: { count: 2, recent: [{ message: 'No such key: amount', at: 1767261590000, count: 2 }] },
};

const READY_PIPELINE = {
  status: 'up',
  state: 'running',
  restarts: 0,
  checkpointing: true,
  lastCheckpointAgeMs: 412,
};

/** `GET /health/ready` when ready (the example of the Health schema and of the endpoint). */
export const EXAMPLE_HEALTH = {
  status: 'ok',
  info: { pipeline: READY_PIPELINE },
  error: {},
  details: { pipeline: READY_PIPELINE },
};

export const EXAMPLE_RULE_ERRORS = {
  statusCode: 400,
  message: 'invalid rule',
  errors: [
    { path: '/alert/severity', message: 'must be one of low, medium, high, critical' },
    { path: '/stages/1/condition', message: "Unexpected token: '>' at 1:12" },
  ],
} as const;

const EXAMPLE_DEAD_LETTER = {
  at: 1767261790000,
  source: 'http',
  reason: 'ts is missing',
  payload: { type: 'payout', user: 'bob' },
} as const;

/** The `$defs` of rules/schema.json as component names: `fieldPath` -> `RuleFieldPath`. */
function defName(def: string): string {
  return `Rule${def[0]!.toUpperCase()}${def.slice(1)}`;
}

/** Keywords that only annotate: a `$ref` beside them alone stays a `$ref`. */
const ANNOTATIONS = new Set(['$ref', 'description', 'title', 'examples', 'default', 'deprecated']);

/**
 * `schema` with `#/$defs/x` references rewritten to the hoisted component schemas, and a `$ref`
 * beside assertions (`{ $ref, properties, unevaluatedProperties }`, legal in 2020-12) moved into
 * `allOf`, which means the same and which tools that replace a `$ref` object by its target (many
 * OpenAPI parsers and client generators) read correctly.
 */
function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
      out[k] = ref(defName(v.slice('#/$defs/'.length))).$ref;
    } else {
      out[k] = rewriteRefs(v);
    }
  }
  if (typeof out.$ref === 'string' && Object.keys(out).some((k) => !ANNOTATIONS.has(k))) {
    const { $ref, allOf, ...rest } = out;
    return { ...rest, allOf: [{ $ref }, ...((allOf as unknown[] | undefined) ?? [])] };
  }
  return out;
}

/** Examples of the rule schema's definitions (each valid against its definition). */
const RULE_DEF_EXAMPLES: Record<string, unknown[]> = {
  fieldPath: ['user', 'device.id'],
  stageName: ['login'],
  condition: ['e.type == "payout" && e.amount > 500.0'],
  duration: ['PT10M', 60000],
  quantifier: [{ type: 'timesOrMore', from: 3 }, { type: 'oneOrMore' }],
  stageCommon: [{ contiguity: 'followedBy', optional: false }],
  stage: [EXAMPLE_RULE.stages[1]],
  group: [
    { group: [{ name: 'a' }, { name: 'b', contiguity: 'next' }], quantifier: { type: 'times', from: 2 } },
  ],
  stageOrGroup: [EXAMPLE_RULE.stages[0]],
  alertTemplate: [EXAMPLE_RULE.alert],
};

/** The rule schema (rules/schema.json) and its definitions as component schemas. */
function ruleSchemas(): Record<string, Schema> {
  const { $schema: _s, $id: _i, $defs, ...rule } = RULE_SCHEMA as Schema & { $defs?: Record<string, Schema> };
  const out: Record<string, Schema> = {
    Rule: { ...(rewriteRefs(rule) as Schema), examples: [EXAMPLE_RULE, EXAMPLE_THRESHOLD_RULE] },
  };
  for (const [name, def] of Object.entries($defs ?? {})) {
    out[defName(name)] = { ...(rewriteRefs(def) as Schema), examples: RULE_DEF_EXAMPLES[name] ?? [] };
  }
  return out;
}

const RULE_ERROR: Schema = {
  type: 'object',
  description: 'One error: a JSON Pointer (RFC 6901) into the posted document and what is wrong there.',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', description: 'JSON Pointer to the offending value ("" for the document)' },
    message: { type: 'string' },
  },
  examples: [{ path: '/stages/0/condition', message: "Unexpected token: '>' at 1:12" }],
};

/** Every component schema of the API. */
export function apiSchemas(): Record<string, Schema> {
  return {
    ...ruleSchemas(),
    RuleError: RULE_ERROR,
    Error: {
      type: 'object',
      description:
        'An error answer. `errors` (400 for a rule, an event batch body or a status change) lists each problem at its JSON Pointer; `currentVersion` (409) is the stored version.',
      required: ['statusCode', 'message'],
      properties: {
        statusCode: { type: 'integer', minimum: 400, maximum: 599 },
        message: { type: 'string' },
        error: { type: 'string' },
        errors: { type: 'array', items: ref('RuleError') },
        currentVersion: { type: 'integer', minimum: 1 },
      },
      examples: [
        EXAMPLE_RULE_ERRORS,
        {
          statusCode: 409,
          message:
            'stale version: rule "new-device-payout" is at version 2, so a replacement must carry version 3 (got 2)',
          currentVersion: 2,
        },
        { statusCode: 401, message: 'missing or wrong API key (header x-api-key or Authorization: Bearer)' },
      ],
    },
    RuleVersions: {
      type: 'array',
      description: 'The versions of a rule, newest first (GET /rules/:id/versions)',
      items: {
        type: 'object',
        required: ['version', 'at'],
        properties: {
          version: { type: 'integer', minimum: 1 },
          at: { type: 'integer', description: 'when the version was written (epoch ms)' },
          status: { enum: ['active', 'paused'] },
          deleted: { const: true },
          rule: ref('Rule'),
        },
      },
      examples: [EXAMPLE_RULE_VERSIONS],
    },
    RuleStats: {
      type: 'object',
      description: "A rule's activity in this process since it started (GET /rules/:id/stats)",
      required: [
        'ruleId',
        'health',
        'alerts',
        'lateEvents',
        'partialMatches',
        'droppedPartialMatches',
        'droppedAlerts',
        'conditionErrors',
      ],
      properties: {
        ruleId: { type: 'string' },
        health: {
          enum: ['ok', 'degraded'],
          description:
            'degraded while the rule dropped partial matches or alerts over its caps in the last 10 minutes',
        },
        degradedReason: { type: 'string' },
        degradedAt: { type: 'integer', description: 'epoch ms of the latest drop' },
        alerts: { type: 'integer', minimum: 0 },
        lateEvents: {
          type: 'integer',
          minimum: 0,
          description: 'events that reached the rule behind the watermark',
        },
        partialMatches: { type: 'integer', minimum: 0, description: 'held now, over every key' },
        droppedPartialMatches: { type: 'integer', minimum: 0 },
        droppedAlerts: { type: 'integer', minimum: 0 },
        conditionErrors: {
          type: 'object',
          required: ['count', 'recent'],
          properties: {
            count: { type: 'integer', minimum: 0 },
            recent: {
              type: 'array',
              items: {
                type: 'object',
                required: ['message', 'at', 'count'],
                properties: {
                  message: { type: 'string' },
                  at: { type: 'integer' },
                  count: { type: 'integer' },
                },
              },
            },
          },
        },
      },
      examples: [EXAMPLE_RULE_STATS],
    },
    ValidationResult: {
      type: 'object',
      required: ['valid'],
      properties: {
        valid: { type: 'boolean' },
        errors: { type: 'array', items: ref('RuleError') },
        warnings: {
          type: 'array',
          items: ref('RuleError'),
          description:
            'what a valid rule may do wrong (a placeholder naming nothing, a combinatorial pattern)',
        },
      },
      examples: [
        { valid: true },
        { valid: false, errors: EXAMPLE_RULE_ERRORS.errors },
        {
          valid: true,
          warnings: [
            {
              path: '/alert/message',
              message:
                'placeholder {{payot.amount}} names no stage, no built-in (ruleId, version, severity, key) and no field the rule reads (key, conditions, fields): it renders empty unless the event has a field "payot.amount"; did you mean {{payout.amount}}?',
            },
          ],
        },
      ],
    },
    StatusChange: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { enum: ['active', 'paused'] },
        ifVersion: {
          type: 'integer',
          minimum: 1,
          description: 'Refuse (409) unless the stored version is this one',
        },
      },
      examples: [{ status: 'paused', ifVersion: 1 }, { status: 'active' }],
    },
    Event: {
      type: 'object',
      description:
        'An event: any JSON object with a `type` and a timestamp `ts` (epoch milliseconds, or ISO-8601 with a zone); other fields are free.',
      required: ['type', 'ts'],
      properties: {
        type: { type: 'string', minLength: 1 },
        ts: { type: ['integer', 'string'], description: 'epoch ms or ISO-8601 date-time with a zone' },
      },
      additionalProperties: true,
      examples: [LOGIN_EVENT, { type: 'payout', user: 'ann', amount: 900, ts: '2026-01-01T10:03:00Z' }],
    },
    EventBatch: {
      description: 'One event or an array of events (malformed ones are dead-lettered one by one).',
      oneOf: [ref('Event'), { type: 'array', items: { type: 'object' } }],
      examples: [LOGIN_EVENT, [LOGIN_EVENT, PAYOUT_EVENT, { type: 'payout', user: 'bob' }]],
    },
    IngestResult: {
      type: 'object',
      required: ['accepted', 'deadLettered', 'deadLetters'],
      properties: {
        accepted: { type: 'integer', minimum: 0 },
        deadLettered: { type: 'integer', minimum: 0 },
        deadLetters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['index', 'reason'],
            properties: { index: { type: 'integer', minimum: 0 }, reason: { type: 'string' } },
          },
        },
      },
      examples: [{ accepted: 2, deadLettered: 1, deadLetters: [{ index: 2, reason: 'ts is missing' }] }],
    },
    DeadLetter: {
      type: 'object',
      description: 'An input the service refused, with why.',
      required: ['at', 'source', 'reason', 'payload'],
      properties: {
        at: { type: 'integer', description: 'when it was refused (epoch ms, processing time)' },
        source: { type: 'string', description: '`http` ingest, or `kafka`' },
        reason: { type: 'string' },
        payload: { description: 'the refused input (truncated to 4 KiB of JSON when larger)' },
      },
      examples: [EXAMPLE_DEAD_LETTER],
    },
    Alert: {
      type: 'object',
      description:
        'An alert: the rule, its grouping key, the events matched by stage (pattern rules), the template fields; threshold alerts also carry the aggregate value and count.',
      required: [
        'alertId',
        'kind',
        'ruleId',
        'version',
        'key',
        'severity',
        'message',
        'stages',
        'fields',
        'eventTimeStart',
        'eventTimeEnd',
      ],
      properties: {
        alertId: { type: 'string' },
        kind: { enum: ['match', 'timeout', 'threshold'] },
        ruleId: { type: 'string' },
        version: { type: 'integer', minimum: 1 },
        key: { type: 'string', description: 'the grouping key as JSON: [[field, value], ...]' },
        severity: { enum: ['low', 'medium', 'high', 'critical'] },
        message: { type: 'string' },
        stages: {
          type: 'object',
          description: 'stage name -> the events it matched',
          additionalProperties: { type: 'array', items: { type: 'object' } },
        },
        fields: { type: 'object', additionalProperties: true },
        eventTimeStart: { type: 'integer', description: 'epoch ms' },
        eventTimeEnd: { type: 'integer', description: 'epoch ms' },
        value: { type: 'number', description: 'threshold alerts: the aggregate' },
        count: { type: 'integer', description: 'threshold alerts: events counted' },
      },
      examples: [EXAMPLE_ALERT],
    },
    DryRunRequest: {
      type: 'object',
      description: 'A rule document (`rule`) or a stored rule (`ruleId`), and sample events (at most 10000).',
      required: ['events'],
      properties: {
        rule: ref('Rule'),
        ruleId: { type: 'string' },
        events: { type: 'array', maxItems: 10000, items: { type: 'object' } },
      },
      examples: [{ rule: EXAMPLE_RULE, events: [LOGIN_EVENT, PAYOUT_EVENT] }],
    },
    DryRunResult: {
      type: 'object',
      required: [
        'rule',
        'alerts',
        'alertCount',
        'truncated',
        'invalidEvents',
        'invalidEventCount',
        'conditionErrors',
        'conditionErrorDetails',
      ],
      properties: {
        rule: {
          type: 'object',
          required: ['id', 'version'],
          properties: { id: { type: 'string' }, version: { type: 'integer' } },
        },
        alerts: { type: 'array', items: ref('Alert'), description: 'the first 100 (at most 1 MiB of JSON)' },
        alertCount: { type: 'integer', minimum: 0 },
        truncated: { type: 'boolean' },
        invalidEvents: {
          type: 'array',
          items: {
            type: 'object',
            required: ['index', 'reason'],
            properties: { index: { type: 'integer' }, reason: { type: 'string' } },
          },
        },
        invalidEventCount: { type: 'integer', minimum: 0 },
        rejected: { type: 'string', description: "the engine's refusal of the rule" },
        conditionErrors: { type: 'integer', minimum: 0 },
        conditionErrorDetails: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message', 'count'],
            properties: {
              path: { type: 'string', description: 'JSON Pointer of the condition in the rule' },
              message: { type: 'string' },
              count: { type: 'integer' },
              eventIndex: { type: 'integer', description: 'first sample event it fails on' },
            },
          },
        },
        warnings: { type: 'array', items: ref('RuleError') },
      },
      examples: [
        {
          rule: { id: 'new-device-payout', version: 1 },
          alerts: [EXAMPLE_ALERT],
          alertCount: 1,
          truncated: false,
          invalidEvents: [],
          invalidEventCount: 0,
          conditionErrors: 0,
          conditionErrorDetails: [],
        },
      ],
    },
    Health: {
      type: 'object',
      description: 'Terminus health check result.',
      required: ['status'],
      properties: {
        status: { enum: ['ok', 'error', 'shutting_down'] },
        info: { type: 'object', additionalProperties: true },
        error: { type: 'object', additionalProperties: true },
        details: { type: 'object', additionalProperties: true },
      },
      examples: [EXAMPLE_HEALTH],
    },
    Savepoint: {
      type: 'object',
      required: ['checkpointId'],
      properties: {
        checkpointId: { type: 'integer' },
        pointer: { type: 'string', description: 'the savepoint directory' },
      },
      examples: [{ checkpointId: 12, pointer: '/data/savepoints/chk-12' }],
    },
  };
}

/** Example answers of the error statuses the API uses. */
const ERROR_EXAMPLES: Record<number, unknown> = {
  400: EXAMPLE_RULE_ERRORS,
  401: { statusCode: 401, message: 'missing or wrong API key (header x-api-key or Authorization: Bearer)' },
  403: { statusCode: 403, message: 'the read key grants GET and HEAD only, not POST' },
  404: { statusCode: 404, message: 'no rule "new-device-payout"' },
  409: {
    statusCode: 409,
    message: 'stale version: rule "new-device-payout" is at version 2, not 1',
    currentVersion: 2,
  },
  413: { statusCode: 413, message: 'request entity too large', error: 'Payload Too Large' },
  415: {
    statusCode: 415,
    message: 'POST needs a JSON body with content-type: application/json (no content-type given)',
  },
  422: { statusCode: 422, message: 'the dry run took longer than 10000 ms' },
  429: { statusCode: 429, message: 'too many dry runs at the same time (2 running)' },
  503: { statusCode: 503, message: 'savepoint failed: Error: the job is not running' },
};

/**
 * An `@ApiResponse` for a JSON answer of component `schema` (or a schema object), with `example`.
 *
 * @example
 * ```ts
 * @ApiResponse(jsonResponse(200, 'The rule', 'Rule', EXAMPLE_RULE))
 * ```
 */
export function jsonResponse(status: number, description: string, schema: string | Schema, example: unknown) {
  return { status, description, schema: typeof schema === 'string' ? ref(schema) : schema, example };
}

/**
 * An `@ApiResponse` for an error answer (`Error` schema) with the status's example.
 *
 * @example
 * ```ts
 * @ApiResponse(errorResponse(409, 'Stale version'))
 * ```
 */
export function errorResponse(status: number, description: string, example?: unknown) {
  return jsonResponse(status, description, 'Error', example ?? ERROR_EXAMPLES[status]);
}

/**
 * An `@ApiBody` of component `schema` with named examples.
 *
 * @example
 * ```ts
 * @ApiBody(jsonBody('The rule', 'Rule', { pattern: EXAMPLE_RULE }))
 * ```
 */
export function jsonBody(description: string, schema: string, examples: Record<string, unknown>) {
  return {
    description,
    required: true,
    schema: ref(schema),
    examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { summary: k, value }])),
  };
}

/** The 401 (and 403 for changes) every guarded operation may answer when `API_KEY` is set. */
export const AUTH_ERRORS = { 401: ERROR_EXAMPLES[401], 403: ERROR_EXAMPLES[403] } as const;
