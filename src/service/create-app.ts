import 'reflect-metadata';
import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { ServiceConfig } from './config/service-config.js';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

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
 * `/docs`. `KAFKA_BROKERS` selects Kafka mode (the storage and pipeline modules pick their
 * providers from the configuration); a cluster that cannot be reached fails the boot.
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
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  if (options.shutdownHooks !== false) app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CEP rule service')
      .setDescription('JSON detection rules over HTTP, events in, alerts out.')
      .setVersion('0.1.0')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  new Logger('Service').log(
    `${config.kafkaBrokers === undefined ? `embedded mode, data dir ${config.dataDir}` : `Kafka mode, brokers ${config.kafkaBrokers.join(',')}`}; API key ${config.apiKey === undefined ? 'not required' : 'required for changes'}`,
  );
  return app;
}
