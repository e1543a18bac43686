import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLogLockedError } from '../../src/core/index.js';
import { createApp, loadServiceConfig } from '../../src/service/index.js';
import {
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  startService,
  T0,
  tempDataDir,
} from './service-harness.js';

// HTTP as clients expect it (415 for non-JSON bodies, errors that say what was wrong), access
// with API_KEY / API_READ_KEY / METRICS_PUBLIC, and operations: JSON log lines, the audit log of
// rule changes, HTTP and watermark metrics, a locked DATA_DIR.

const ADMIN = 'admin-key-0123456789';
const READ = 'read-key-0123456789';
const rule = {
  id: 'access-rule',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'a', condition: 'e.type == "x"' }],
  alert: { severity: 'low', message: 'x for {{key}}' },
};

/** A raw request with a given content type (or none) and body text. */
async function raw(
  url: string,
  method: string,
  body: string | undefined,
  contentType: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: contentType === undefined ? headers : { 'content-type': contentType, ...headers },
    body: body === undefined ? undefined : new TextEncoder().encode(body), // bytes: fetch adds no type
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** Collects what the process writes to stdout and stderr while `fn` runs. */
async function captureOutput<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    const result = await fn();
    return {
      result,
      lines: chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim().length > 0),
    };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

afterAll(() => removeServiceDirs());

describe('HTTP as clients expect', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ LOAD_EXAMPLE_RULES: 'false' });
    expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(201);
  });
  afterAll(() => svc.close());

  it('answers 415 to a JSON endpoint whose body is not application/json', async () => {
    const cases: [string, string, string | undefined][] = [
      ['POST', '/events', 'application/x-www-form-urlencoded'], // curl -d
      ['POST', '/events', 'text/plain'],
      ['POST', '/events', undefined],
      ['POST', '/rules', 'application/x-www-form-urlencoded'],
      ['POST', '/rules/validate', 'text/plain'],
      ['POST', '/rules/dry-run', 'text/plain'],
      ['PUT', '/rules/access-rule', 'text/plain'],
      ['PATCH', '/rules/access-rule/status', 'application/x-www-form-urlencoded'],
      ['PATCH', '/rules/access-rule/status', undefined],
    ];
    for (const [method, path, type] of cases) {
      const body = type === 'application/x-www-form-urlencoded' ? 'type=x&ts=1' : '{"type":"x","ts":1}';
      const r = await raw(`${svc.url}${path}`, method, body, type);
      expect(r.status, `${method} ${path} ${type}`).toBe(415);
      expect(r.body.message, `${method} ${path} ${type}`).toMatch(/content-type: application\/json/);
    }
    expect((await call(`${svc.url}/events/dead-letters`, 'GET')).body).toEqual([]); // nothing dead-lettered
    // JSON with a charset (or a +json type) is fine; a bodiless POST needs no content type.
    const ok = await raw(
      `${svc.url}/events`,
      'POST',
      `{"type":"x","user":"u","ts":${T0}}`,
      'application/json; charset=utf-8',
    );
    expect(ok).toMatchObject({ status: 202, body: { accepted: 1 } });
    const plusJson = await raw(
      `${svc.url}/rules/validate`,
      'POST',
      JSON.stringify(rule),
      'application/vnd.api+json',
    );
    expect(plusJson).toMatchObject({ status: 200, body: { valid: true } });
    expect((await raw(`${svc.url}/admin/savepoint`, 'POST', undefined, undefined)).status).toBe(201);
  });

  it('refuses a null (or other non-object) body by name, not as invalid JSON', async () => {
    const nul = await raw(`${svc.url}/events`, 'POST', 'null', 'application/json');
    expect(nul.status).toBe(400);
    expect(nul.body.message).toBe('body must be an event object or an array of events, got null');
    const num = await raw(`${svc.url}/events`, 'POST', '42', 'application/json');
    expect(num).toMatchObject({ status: 400, body: { message: expect.stringMatching(/got a number$/) } });
    const broken = await raw(`${svc.url}/events`, 'POST', '{"type":', 'application/json');
    expect(broken.status).toBe(400);
  });

  it('labels errors by what was refused, and names reserved field names', async () => {
    const proto = await call(`${svc.url}/rules`, 'POST', { ...rule, id: 'proto-key', key: ['__proto__'] });
    expect(proto.status).toBe(400);
    expect(proto.body.errors).toEqual([
      { path: '/key/0', message: expect.stringMatching(/^field name "__proto__" is not allowed/) },
    ]);
    expect(JSON.stringify(proto.body)).not.toContain('must NOT be valid');
    const stage = await call(`${svc.url}/rules/validate`, 'POST', {
      ...rule,
      stages: [{ name: 'constructor', condition: 'true' }],
    });
    expect(stage.body.errors).toEqual([
      { path: '/stages/0/name', message: expect.stringMatching(/^stage name "constructor" is not allowed/) },
    ]);
    const status = await call(`${svc.url}/rules/access-rule/status`, 'PATCH', { status: 'sleeping' });
    expect(status.status).toBe(400);
    expect(status.body.message).toBe('invalid status change');
    const ifVersion = await call(`${svc.url}/rules/access-rule/status`, 'PATCH', {
      status: 'paused',
      ifVersion: 'one',
    });
    expect(ifVersion.body).toMatchObject({
      message: 'invalid status change',
      errors: [{ path: '/ifVersion' }],
    });
  });
});

describe('access with API_KEY and API_READ_KEY', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService({ API_KEY: ADMIN, API_READ_KEY: READ, LOAD_EXAMPLE_RULES: 'false' });
  });
  afterAll(() => svc.close());

  const reads = ['/rules', '/alerts', '/alerts/stream', '/events/dead-letters', '/metrics', '/openapi.json'];

  it('needs a key for every read, answers /health/* without one', async () => {
    for (const path of reads) {
      const r = await fetch(`${svc.url}${path}`);
      expect(r.status, path).toBe(401);
      await r.body?.cancel();
      const head = await fetch(`${svc.url}${path}`, { method: 'HEAD' });
      expect(head.status, `HEAD ${path}`).toBe(401);
      const wrong = await fetch(`${svc.url}${path}`, { headers: { 'x-api-key': 'wrong-key-0123456789' } });
      expect(wrong.status, path).toBe(401);
      await wrong.body?.cancel();
    }
    expect((await call(`${svc.url}/health/live`, 'GET')).status).toBe(200);
    expect((await call(`${svc.url}/health/ready`, 'GET')).status).toBe(200);
  });

  it('lets the read key GET (x-api-key or Bearer), not change anything; the admin key does both', async () => {
    for (const path of reads) {
      for (const headers of [
        { 'x-api-key': READ },
        { authorization: `Bearer ${READ}` },
        { 'x-api-key': ADMIN },
      ] as Record<string, string>[]) {
        const controller = new AbortController();
        const r = await fetch(`${svc.url}${path}`, { headers, signal: controller.signal });
        expect(r.status, `${path} ${JSON.stringify(headers)}`).toBe(200);
        controller.abort(); // the stream does not end by itself
      }
    }
    const asReader = await call(`${svc.url}/rules`, 'POST', rule, { 'x-api-key': READ });
    expect(asReader.status).toBe(403);
    expect(asReader.body.message).toMatch(/GET and HEAD only/);
    expect(
      (await call(`${svc.url}/events`, 'POST', { type: 'x', ts: T0 }, { 'x-api-key': READ })).status,
    ).toBe(403);
    expect((await call(`${svc.url}/rules`, 'POST', rule, { authorization: `Bearer ${ADMIN}` })).status).toBe(
      201,
    );
    expect(
      (await call(`${svc.url}/rules/access-rule`, 'GET', undefined, { 'x-api-key': READ })).body.id,
    ).toBe('access-rule');
    // Without a key, a non-JSON body is refused as unauthenticated first.
    expect((await raw(`${svc.url}/events`, 'POST', 'a=b', 'application/x-www-form-urlencoded')).status).toBe(
      401,
    );
  });

  it('validates the new variables', () => {
    expect(() => loadServiceConfig({ API_READ_KEY: READ })).toThrow(/API_READ_KEY needs API_KEY/);
    expect(() => loadServiceConfig({ API_KEY: ADMIN, API_READ_KEY: 'short' })).toThrow(
      /API_READ_KEY must be at least/,
    );
    expect(() => loadServiceConfig({ API_KEY: ADMIN, API_READ_KEY: ADMIN })).toThrow(/must differ/);
    expect(() => loadServiceConfig({ METRICS_PUBLIC: 'maybe' })).toThrow(/METRICS_PUBLIC/);
    expect(() => loadServiceConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or text/);
    expect(loadServiceConfig({})).toMatchObject({
      logFormat: 'json',
      metricsPublic: false,
      apiReadKey: undefined,
    });
  });
});

describe('METRICS_PUBLIC', () => {
  it('opens /metrics (only) with API_KEY set', async () => {
    const svc = await startService({ API_KEY: ADMIN, METRICS_PUBLIC: 'true', LOAD_EXAMPLE_RULES: 'false' });
    try {
      expect((await call(`${svc.url}/metrics`, 'GET')).status).toBe(200);
      expect((await call(`${svc.url}/rules`, 'GET')).status).toBe(401);
      expect((await call(`${svc.url}/alerts`, 'GET')).status).toBe(401);
    } finally {
      await svc.close();
    }
  });
});

describe('operations', () => {
  it('logs JSON lines, an audit line per rule change, and warns when open on a non-loopback address', async () => {
    let svc: RunningService | undefined;
    const { lines } = await captureOutput(async () => {
      // HOST is what the service is told to listen on (the harness binds 127.0.0.1 anyway).
      svc = await startService({ LOG_LEVEL: 'log', HOST: '0.0.0.0', LOAD_EXAMPLE_RULES: 'false' });
      expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(201);
      expect((await call(`${svc.url}/rules`, 'POST', rule)).status).toBe(409);
      expect((await call(`${svc.url}/rules/access-rule/status`, 'PATCH', { status: 'paused' })).status).toBe(
        200,
      );
      expect((await call(`${svc.url}/rules/access-rule`, 'DELETE')).status).toBe(204);
      await svc.close();
    });
    expect(lines.length).toBeGreaterThan(3);
    const records = lines.map((l) => JSON.parse(l) as Record<string, any>); // every line is JSON
    for (const r of records)
      expect(r).toMatchObject({ level: expect.any(String), timestamp: expect.any(Number) });
    const audit = records.filter((r) => r.context === 'Audit').map((r) => r.message);
    expect(audit).toEqual([
      { audit: 'rule', action: 'created', ruleId: 'access-rule', version: 1, by: 'none', outcome: 'ok' },
      expect.objectContaining({
        action: 'created',
        ruleId: 'access-rule',
        version: 1,
        by: 'none',
        outcome: 'rejected',
        status: 409,
      }),
      { audit: 'rule', action: 'status', ruleId: 'access-rule', version: 2, by: 'none', outcome: 'ok' },
      { audit: 'rule', action: 'deleted', ruleId: 'access-rule', version: 3, by: 'none', outcome: 'ok' },
    ]);
    expect(records.some((r) => r.level === 'warn' && /without API_KEY/.test(String(r.message)))).toBe(true);
  });

  it('names the admin or read key in the audit line', async () => {
    let svc: RunningService | undefined;
    const { lines } = await captureOutput(async () => {
      svc = await startService({ LOG_LEVEL: 'log', API_KEY: ADMIN, LOAD_EXAMPLE_RULES: 'false' });
      expect((await call(`${svc.url}/rules`, 'POST', rule, { 'x-api-key': ADMIN })).status).toBe(201);
      await svc.close();
    });
    const audit = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((r) => r.context === 'Audit');
    expect(audit.map((r) => r.message)).toEqual([
      expect.objectContaining({ action: 'created', by: 'admin' }),
    ]);
    expect(lines.some((l) => /without API_KEY/.test(l))).toBe(false);
  });

  it('reports HTTP requests, condition errors and the watermark in /metrics', async () => {
    const svc = await startService({ LOAD_EXAMPLE_RULES: 'false', CHECKPOINT_INTERVAL_MS: '100' });
    try {
      await call(`${svc.url}/rules/nope`, 'GET');
      await call(`${svc.url}/events`, 'POST', [{ type: 'x', user: 'u', ts: T0 }]);
      await call(`${svc.url}/no/such/path`, 'GET');
      const text = await eventually(async () => {
        const t = (await call(`${svc.url}/metrics`, 'GET')).body as string;
        return /^cep_watermark_seconds [1-9]/m.test(t) && t;
      });
      expect(text).toMatch(/^http_requests_total\{method="GET",route="\/rules\/:id",status="404"\} 1$/m);
      expect(text).toMatch(/^http_requests_total\{method="POST",route="\/events",status="202"\} 1$/m);
      expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
      expect(text).toMatch(
        /^http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/events"\} 1$/m,
      );
      expect(text).toContain('# TYPE checkpoint_duration_seconds histogram');
      expect(text).toContain('# TYPE cep_condition_errors_total counter');
      const wm = Number(/^cep_watermark_seconds (\S+)$/m.exec(text)![1]);
      expect(wm).toBeGreaterThan(T0 / 1000 - 10);
      expect(wm).toBeLessThanOrEqual(T0 / 1000);
      expect(text).toMatch(/^cep_watermark_lag_seconds \d/m);
    } finally {
      await svc.close();
    }
  });

  it('fails to boot on a DATA_DIR in use with one error, no stack trace logged', async () => {
    const dataDir = tempDataDir();
    const first = await startService({ DATA_DIR: dataDir, LOAD_EXAMPLE_RULES: 'false' });
    try {
      const { result, lines } = await captureOutput(async () => {
        try {
          await createApp(loadServiceConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', HOST: '127.0.0.1' }), {
            shutdownHooks: false,
          });
          return undefined;
        } catch (e) {
          return e;
        }
      });
      expect(result).toBeInstanceOf(LocalLogLockedError);
      expect((result as Error).message).toMatch(/is locked by live process/);
      expect(lines.join('\n')).not.toMatch(/\n\s+at /); // no stack frames
      expect(lines.some((l) => /LocalLogLockedError|is locked/.test(l))).toBe(false);
    } finally {
      await first.close();
    }
  });
});
