import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ServiceConfig } from '../config/service-config.js';
import { AUTH_ERRORS, apiSchemas, ref } from './api.schema.js';

type Operation = {
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/**
 * The project root (the folder with package.json), found from this module's directory upwards so
 * that the same code works from `src/service/openapi` (tests) and `dist/src/service/openapi`.
 *
 * @example
 * ```ts
 * projectRoot(); // '/app'
 * ```
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Whether `path` is open whatever the key (as `ApiAccess` decides). */
function isOpen(path: string, config: ServiceConfig): boolean {
  return path.startsWith('/health/') || (config.metricsPublic && path === '/metrics');
}

/**
 * The OpenAPI 3.1 document of the service, for `config`: the operations the controllers declare
 * (their decorators carry request and response schemas and an example each), the component
 * schemas of {@link apiSchemas} (the rule is `rules/schema.json`), the two ways to present the
 * key (`x-api-key` header, `Authorization: Bearer`) and, only when `API_KEY` is set, a `security`
 * requirement with 401/403 answers on every operation the key guards (all but `/health/*`, and
 * `/metrics` with `METRICS_PUBLIC=true`). Operations reading a JSON body also document 413 and 415.
 *
 * @example
 * ```ts
 * const doc = buildOpenApiDocument(app, config);
 * doc.components.schemas.Rule; // rules/schema.json
 * ```
 */
export function buildOpenApiDocument(app: INestApplication, config: ServiceConfig): OpenAPIObject {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle('CEP rule service')
      .setDescription(
        'JSON detection rules over HTTP, events in, alerts out. Errors are `{ statusCode, message, errors?: [{ path, message }] }` with JSON Pointers (RFC 6901) into the posted document. ' +
          (config.apiKey === undefined
            ? 'This instance has no API key: every operation is open.'
            : 'This instance requires its API key on every operation but /health/* (header `x-api-key`, or `Authorization: Bearer <key>`); a read key grants GET only.'),
      )
      .setVersion(packageVersion())
      .addApiKey(
        { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API_KEY (or API_READ_KEY for GET)' },
        'apiKey',
      )
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'API_KEY (or API_READ_KEY for GET)' },
        'bearer',
      )
      .build(),
  );
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...apiSchemas() } };
  const guarded = config.apiKey !== undefined;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (op === undefined) continue;
      delete op.security;
      if (path.startsWith('/health/')) {
        // @HealthCheck() documents Terminus's generic result; ours names the indicators.
        for (const r of Object.values(op.responses) as { content?: Record<string, { schema?: unknown }> }[]) {
          const media = r.content?.['application/json'];
          if (media !== undefined) media.schema = ref('Health');
        }
      }
      if (op.requestBody !== undefined) {
        op.responses['413'] ??= errorContent('The body is larger than BODY_LIMIT', {
          statusCode: 413,
          message: 'request entity too large',
        });
        op.responses['415'] ??= errorContent('The body is not JSON (content-type)', {
          statusCode: 415,
          message: `${method.toUpperCase()} needs a JSON body with content-type: application/json (no content-type given)`,
        });
      }
      if (guarded && !isOpen(path, config)) {
        op.security = [{ apiKey: [] }, { bearer: [] }];
        op.responses['401'] ??= errorContent('Missing or wrong API key', AUTH_ERRORS[401]);
        if (method !== 'get' && method !== 'head') {
          op.responses['403'] ??= errorContent('The read key grants GET and HEAD only', AUTH_ERRORS[403]);
        }
      }
    }
  }
  return doc;
}

function errorContent(description: string, example: unknown): unknown {
  return { description, content: { 'application/json': { schema: ref('Error'), example } } };
}

/**
 * The document as served to `req`: `servers` names the origin the caller used (its `Host`
 * header, when it is a plain host name or address with a port), else `/`.
 *
 * @example
 * ```ts
 * SwaggerModule.setup('docs', app, doc, { patchDocumentOnRequest: (req, _res, d) => withServer(req, d) });
 * ```
 */
export function withServer(req: IncomingMessage, doc: OpenAPIObject): OpenAPIObject {
  const host = req.headers.host;
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = forwarded === 'https' ? 'https' : 'http';
  const url =
    typeof host === 'string' && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host) ? `${proto}://${host}` : '/';
  return { ...doc, servers: [{ url, description: 'this service' }] };
}
