import 'reflect-metadata';
import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { ServiceConfig } from './config/service-config.js';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Thrown by {@link createApp} when the configuration asks for something this build cannot do.
 *
 * @example
 * ```ts
 * try { await createApp(config); } catch (e) { if (e instanceof UnsupportedModeError) process.exit(2); }
 * ```
 */
export class UnsupportedModeError extends Error {
  override readonly name = 'UnsupportedModeError';
}

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
 * Builds the Nest application for `config` (not listening yet): JSON body parser with
 * `BODY_LIMIT` (413 above it), shutdown hooks, OpenAPI document at `/openapi.json` and its UI at
 * `/docs`. Kafka mode (`KAFKA_BROKERS`) is refused with {@link UnsupportedModeError} until it
 * exists, rather than silently running embedded.
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
  if (config.kafkaBrokers !== undefined) {
    throw new UnsupportedModeError(
      `KAFKA_BROKERS is set (${config.kafkaBrokers.join(',')}) but Kafka mode is not implemented yet; unset KAFKA_BROKERS to run the embedded mode (local log under DATA_DIR)`,
    );
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CEP rule service')
      .setDescription('JSON detection rules over HTTP, events in, alerts out (embedded mode).')
      .setVersion('0.1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  new Logger('Service').log(
    `data dir ${config.dataDir}; API key ${config.apiKey === undefined ? 'not required' : 'required for changes'}`,
  );
  return app;
}
