import 'reflect-metadata';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import { ApiAccess } from './common/api-key.guard.js';
import { JSON_CONTENT_TYPES } from './common/json-body.guard.js';
import { ServiceLogger } from './common/service-logger.js';
import type { ServiceConfig } from './config/service-config.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { buildOpenApiDocument, withServer } from './openapi/openapi-document.js';

/**
 * Options of {@link createApp}.
 *
 * @example
 * ```ts
 * await createApp(config, { shutdownHooks: false }); // tests close the app themselves
 * ```
 */
export interface CreateAppOptions {
  /** Close the app on SIGTERM/SIGINT (default true). */
  readonly shutdownHooks?: boolean;
}

/**
 * Builds the Nest application for `config` (not listening yet): the logger (JSON lines, or text
 * with `LOG_FORMAT=text`), the HTTP metrics (`http_requests_total`,
 * `http_request_duration_seconds`), the JSON body parser with `BODY_LIMIT` (413 above it; any
 * JSON value, so that a `null` body reaches the handlers and is refused there by name), shutdown
 * hooks, the OpenAPI document at `/openapi.json` and its UI at `/docs` (behind the API key, like
 * every route but `/health/*`). `KAFKA_BROKERS` selects Kafka mode (the storage and pipeline
 * modules pick their providers from the configuration); a cluster that cannot be reached fails
 * the boot, as does a `DATA_DIR` another process holds: the error is thrown, not logged (the
 * caller reports it in one line).
 *
 * @example
 * ```ts
 * const app = await createApp(loadServiceConfig(process.env));
 * await app.listen(config.port, config.host);
 * ```
 */
export async function createApp(
  config: ServiceConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new ServiceLogger(config),
    abortOnError: false,
  });
  app.use(httpMetrics(app.get(ServiceMetrics)));
  const access = new ApiAccess(config);
  // The Nest routes have the API-key guard; the OpenAPI document and its UI are not Nest routes.
  app.use(['/docs', '/openapi.json'], (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    try {
      access.check({ method: req.method ?? 'GET', url: req.url, headers: req.headers });
      next();
    } catch (e) {
      if (!(e instanceof HttpException)) throw e;
      res.writeHead(e.getStatus(), { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(e.getResponse()));
    }
  });
  app.useBodyParser('json', { limit: config.bodyLimitBytes, type: JSON_CONTENT_TYPES, strict: false });
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // OpenAPI 3.1: schemas and examples from the controllers' decorators and src/service/openapi.
  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'], // no unguarded /docs-yaml
    patchDocumentOnRequest: (req, _res, doc) => withServer(req as IncomingMessage, doc),
  });
  const logger = new Logger('Service');
  logger.log(
    `${config.kafkaBrokers === undefined ? `embedded mode, data dir ${config.dataDir}` : `Kafka mode, brokers ${config.kafkaBrokers.join(',')}`}; ${
      config.apiKey === undefined
        ? 'no API key: every endpoint is open'
        : `API key required on every endpoint but /health${config.metricsPublic ? ' and /metrics' : ''}${config.apiReadKey === undefined ? '' : ' (read key: GET/HEAD only)'}`
    }`,
  );
  if (config.apiKey === undefined && !isLoopback(config.host)) {
    logger.warn(
      `listening on ${config.host} (not loopback) without API_KEY: anyone who reaches this address can change rules and ingest events; set API_KEY (and API_READ_KEY for read-only clients)`,
    );
  }
  return app;
}

/**
 * Whether `host` only accepts local connections (127.0.0.0/8, ::1, localhost).
 *
 * @example
 * ```ts
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0'); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Express's view of a request once routed: the matched route's path, under its router's base. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/**
 * Middleware counting every answered request in `http_requests_total{method,route,status}` and
 * timing it in `http_request_duration_seconds{method,route}`. `route` is the route template
 * (`/rules/:id`), `unmatched` for a path no route serves (so unknown paths do not grow the label
 * set). An SSE stream is counted when it ends and not timed.
 */
function httpMetrics(metrics: ServiceMetrics) {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const path = req.route?.path;
      const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
      const method = req.method ?? 'GET';
      metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
      if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        metrics.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - start) / 1e9);
      }
    });
    next();
  };
}
