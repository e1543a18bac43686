import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServiceConfig } from '../../src/service/index.js';
import {
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  startService,
  T0,
} from './service-harness.js';

let svc: RunningService;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc.close();
  removeServiceDirs();
});

describe('operations', () => {
  it('reports liveness and readiness (the engine job runs)', async () => {
    const live = await call(`${svc.url}/health/live`, 'GET');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    const ready = await call(`${svc.url}/health/ready`, 'GET');
    expect(ready.status).toBe(200);
    expect(ready.body.details.pipeline).toMatchObject({
      status: 'up',
      state: 'running',
      checkpointing: true,
    });
    await eventually(
      async () => (await call(`${svc.url}/health/ready`, 'GET')).body.details.pipeline.lastCheckpointId > 0,
    );
  });

  it('exposes Prometheus metrics with the service counters', async () => {
    await call(`${svc.url}/events`, 'POST', [
      ...[1, 2, 3].map((i) => ({ type: 'login_failed', user: 'm', ts: T0 + i * 1000 })),
      { type: 'login_success', user: 'm', ip: '10.0.0.1', ts: T0 + 5000 },
      { broken: true },
    ]);
    await eventually(async () => (await call(`${svc.url}/alerts`, 'GET')).body.length > 0);
    const r = await call(`${svc.url}/metrics`, 'GET');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = r.body as string;
    expect(text).toContain('# TYPE events_in_total counter');
    expect(text).toMatch(/^events_in_total 4$/m);
    expect(text).toMatch(/^dead_letters_total 1$/m);
    expect(text).toMatch(/^alerts_out_total\{rule="failed-logins-then-success"\} 1$/m);
    expect(text).toMatch(/^rules_active 6$/m);
    expect(text).toMatch(/^pipeline_up 1$/m);
    expect(text).toContain('# TYPE checkpoint_duration_seconds histogram');
    expect(text).toMatch(/^checkpoint_duration_seconds_count [1-9]\d*$/m);
    expect(text).toMatch(/^checkpoint_size_bytes \d+/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('reports the partial matches each pattern rule holds', async () => {
    const metric = async (): Promise<string> => (await call(`${svc.url}/metrics`, 'GET')).body as string;
    // Three users change their password: three partial matches of account-takeover, which wait
    // (within a day) for a new device; a later event moves event time past them (still open).
    await call(`${svc.url}/events`, 'POST', [
      ...['p1', 'p2', 'p3'].map((user, i) => ({
        type: 'password_change',
        user,
        device: 'd1',
        ts: T0 + 10_000 + i,
      })),
      { type: 'noise', user: 'zz', ts: T0 + 60_000 },
    ]);
    await eventually(async () => /^cep_partial_matches\{rule="account-takeover"\} 3$/m.test(await metric()));
    // One of them completes (new device, then a payout): two left.
    await call(`${svc.url}/events`, 'POST', [
      { type: 'login', user: 'p1', device: 'd9', ts: T0 + 70_000 },
      { type: 'payout', user: 'p1', amount: 10, ts: T0 + 80_000 },
      { type: 'noise', user: 'zz', ts: T0 + 90_000 },
    ]);
    await eventually(async () => /^cep_partial_matches\{rule="account-takeover"\} 2$/m.test(await metric()));
  });

  it('serves the OpenAPI document with the routes, and the docs UI', async () => {
    const r = await call(`${svc.url}/openapi.json`, 'GET');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/rules',
      '/rules/{id}',
      '/rules/{id}/status',
      '/rules/validate',
      '/rules/dry-run',
      '/events',
      '/alerts',
      '/alerts/stream',
      '/health/live',
      '/health/ready',
      '/metrics',
      '/admin/savepoint',
    ]) {
      expect(Object.keys(r.body.paths), path).toContain(path);
    }
    expect(Object.keys(r.body.paths['/rules/{id}'])).toEqual(
      expect.arrayContaining(['get', 'put', 'delete']),
    );
    const ui = await fetch(`${svc.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});

describe('configuration', () => {
  it('applies defaults and validates every variable with clear errors', () => {
    const c = loadServiceConfig({});
    expect(c).toMatchObject({
      port: 8080,
      bodyLimitBytes: 1024 * 1024,
      apiKey: undefined,
      kafkaBrokers: undefined,
    });
    expect(c.dataDir).toMatch(/data$/);
    expect(c.watermarkIntervalMs).toBe(50);
    expect(loadServiceConfig({ WATERMARK_INTERVAL_MS: '200' }).watermarkIntervalMs).toBe(200);
    expect(() => loadServiceConfig({ WATERMARK_INTERVAL_MS: '5' })).toThrow(/WATERMARK_INTERVAL_MS/);
    expect(c.dedupMaxIds).toBe(1_000_000);
    expect(loadServiceConfig({ DEDUP_MAX_IDS: '5000' }).dedupMaxIds).toBe(5000);
    expect(() => loadServiceConfig({ DEDUP_MAX_IDS: '0' })).toThrow(/DEDUP_MAX_IDS/);
    expect(loadServiceConfig({ BODY_LIMIT: '512kb', PORT: '0' })).toMatchObject({
      bodyLimitBytes: 512 * 1024,
      port: 0,
    });
    let error: unknown;
    try {
      loadServiceConfig({
        PORT: 'http',
        BODY_LIMIT: 'lots',
        API_KEY: 'short',
        KAFKA_BROKERS: 'nope',
        KAFKA_TOPIC_PARTITIONS: '0',
        KAFKA_EVENTS_TOPIC: 'no spaces',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'BODY_LIMIT',
      'API_KEY',
      'KAFKA_BROKERS',
      'KAFKA_TOPIC_PARTITIONS',
      'KAFKA_EVENTS_TOPIC',
      'LOG_LEVEL',
    ])
      expect(problems).toContain(name);
  });
});
