import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type RunningService, removeServiceDirs, startService } from './service-harness.js';

/**
 * The OpenAPI document served at /openapi.json: valid OpenAPI 3.1 (checked with
 * @seriousme/openapi-schema-validator), every operation with a request and response schema and an
 * example, every component schema with examples, and every example valid against its schema
 * (ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). With API_KEY set, every operation but /health/*
 * carries `security`; without it none does.
 */

type Doc = {
  openapi: string;
  info: { version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The component schemas' `#/components/schemas/X` references made absolute (`openapi#/...`). */
function absoluteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absoluteRefs);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi${v}` : absoluteRefs(v),
    ]),
  );
}

/** ajv for the document's schemas: the components under id `openapi`. */
function schemaChecker(doc: Doc): (schema: unknown, value: unknown) => string | undefined {
  // strict off: OpenAPI adds annotation keywords of its own (example, discriminator, xml).
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');
  return (schema, value) => {
    const validate = ajv.compile(absoluteRefs(schema) as object);
    return validate(value) ? undefined : ajv.errorsText(validate.errors);
  };
}

/** Every example a media-type object holds. */
function mediaExamples(media: {
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}): unknown[] {
  return [
    ...('example' in media ? [media.example] : []),
    ...Object.values(media.examples ?? {}).map((e) => e.value),
  ];
}

describe('OpenAPI document', () => {
  let open: RunningService;
  let keyed: RunningService;
  let doc: Doc;
  let keyedDoc: Doc;

  beforeAll(async () => {
    [open, keyed] = await Promise.all([startService(), startService({ API_KEY: 'openapi-test-key' })]);
    const r = await call(`${open.url}/openapi.json`, 'GET');
    expect(r.status).toBe(200);
    doc = r.body;
    const k = await call(`${keyed.url}/openapi.json`, 'GET', undefined, { 'x-api-key': 'openapi-test-key' });
    expect(k.status).toBe(200);
    keyedDoc = k.body;
  });

  afterAll(async () => {
    await Promise.all([open?.close(), keyed?.close()]);
    removeServiceDirs();
  });

  it('is a valid OpenAPI 3.1 document, with the package version and the server URL the caller used', async () => {
    for (const d of [doc, keyedDoc]) {
      const result = await new Validator().validate(structuredClone(d));
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(d.openapi).toBe('3.1.0');
    }
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.servers).toEqual([{ url: open.url, description: 'this service' }]);
  });

  it('describes the rule with rules/schema.json, and errors with JSON Pointers', () => {
    const rule = doc.components.schemas.Rule;
    expect(rule.required).toEqual(
      expect.arrayContaining(['id', 'version', 'status', 'kind', 'key', 'alert']),
    );
    expect(JSON.stringify(rule)).not.toContain('#/$defs/');
    expect(doc.components.schemas.RuleFieldPath).toBeDefined();
    expect(doc.components.schemas.Error.properties.errors.items).toEqual({
      $ref: '#/components/schemas/RuleError',
    });
    const post = doc.paths['/rules']!.post;
    expect(post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Rule',
    });
    expect(post.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    expect(doc.components.securitySchemes).toMatchObject({
      apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      bearer: { type: 'http', scheme: 'bearer' },
    });
  });

  it('gives every operation a response schema with an example, and a request schema with examples', () => {
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        const success = Object.keys(op.responses).filter((s) => /^2/.test(s));
        expect(success.length, where).toBeGreaterThan(0);
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (status === '204') continue;
          expect(response.content, `${where} ${status}`).toBeDefined();
          for (const [type, media] of Object.entries<any>(response.content)) {
            expect(media.schema, `${where} ${status} ${type}`).toBeDefined();
            expect(mediaExamples(media).length, `${where} ${status} ${type} example`).toBeGreaterThan(0);
          }
        }
        if (op.requestBody !== undefined) {
          for (const [type, media] of Object.entries<any>(op.requestBody.content)) {
            expect(media.schema, `${where} body ${type}`).toBeDefined();
            expect(mediaExamples(media).length, `${where} body ${type} example`).toBeGreaterThan(0);
          }
        }
        for (const p of op.parameters ?? []) {
          expect(p.schema, `${where} ${p.name}`).toBeDefined();
        }
      }
    }
    expect(operations).toBeGreaterThanOrEqual(14);
  });

  it('has examples for every component schema, and every example validates against its schema', () => {
    const check = schemaChecker(doc);
    const failures: string[] = [];
    let checked = 0;
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const examples = schema.examples as unknown[] | undefined;
      if (!Array.isArray(examples) || examples.length === 0) failures.push(`${name}: no examples`);
      for (const [i, example] of (examples ?? []).entries()) {
        checked++;
        const error = check({ $ref: `#/components/schemas/${name}` }, example);
        if (error !== undefined) failures.push(`${name} example ${i}: ${error}`);
      }
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        const media = [
          ...Object.entries<any>(op.requestBody?.content ?? {}).map(([t, m]) => [`body ${t}`, m] as const),
          ...Object.entries<any>(op.responses).flatMap(([status, r]) =>
            Object.entries<any>(r.content ?? {}).map(([t, m]) => [`${status} ${t}`, m] as const),
          ),
        ];
        for (const [what, m] of media) {
          for (const example of mediaExamples(m)) {
            checked++;
            const error = check(m.schema, example);
            if (error !== undefined) failures.push(`${method.toUpperCase()} ${path} ${what}: ${error}`);
          }
        }
        for (const p of op.parameters ?? []) {
          if (p.example === undefined) continue;
          checked++;
          const error = check(p.schema, p.example);
          if (error !== undefined) failures.push(`${method.toUpperCase()} ${path} ${p.name}: ${error}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('the example rule is accepted by the service, and its invalid twin answers errors at JSON Pointers', async () => {
    const example = doc.components.schemas.Rule.examples[0];
    const ok = await call(`${open.url}/rules/validate`, 'POST', example);
    expect(ok.body).toEqual({ valid: true });
    const bad = await call(`${open.url}/rules/validate`, 'POST', {
      ...example,
      alert: { ...example.alert, severity: 'loud' },
    });
    expect(bad.body.valid).toBe(false);
    expect(bad.body.errors).toContainEqual({
      path: '/alert/severity',
      message: 'must be one of low, medium, high, critical',
    });
    const check = schemaChecker(doc);
    expect(check({ $ref: '#/components/schemas/ValidationResult' }, bad.body)).toBeUndefined();
  });

  it('has security only where a key is required: none without API_KEY, all but /health/* with it', async () => {
    for (const item of Object.values(doc.paths)) {
      for (const method of METHODS) expect(item[method]?.security).toBeUndefined();
    }
    for (const [path, item] of Object.entries(keyedDoc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        if (path.startsWith('/health/')) {
          expect(op.security, path).toBeUndefined();
        } else {
          expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [] }, { bearer: [] }]);
          expect(op.responses['401'], `${method} ${path}`).toBeDefined();
        }
      }
    }
    // The document is guarded like the API.
    expect((await call(`${keyed.url}/openapi.json`, 'GET')).status).toBe(401);
    expect((await call(`${keyed.url}/health/live`, 'GET')).status).toBe(200);
  });
});
