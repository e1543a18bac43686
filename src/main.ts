/**
 * `npm start`: boots the rule service (embedded mode, or Kafka mode with `KAFKA_BROKERS`) with
 * the configuration from the environment. Exit codes: 2 on invalid configuration, 1 when it
 * cannot start (e.g. Kafka unreachable, `DATA_DIR` held by another process: one line saying so,
 * no stack trace), 0 after a graceful shutdown on SIGTERM/SIGINT (the app closes: the job is
 * cancelled, journals are committed, the local log is closed), 1 when shutdown fails or takes
 * over 30 s, or on a second signal. Its own lines go through the service's logger (JSON lines
 * unless `LOG_FORMAT=text`).
 */
import { LocalLogLockedError } from './core/index.js';
import { ServiceLogger } from './service/common/service-logger.js';
import { ConfigError, createApp, loadServiceConfig } from './service/index.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;
const CONTEXT = 'cep-rule-service';

let logger: ServiceLogger | undefined;
try {
  const config = loadServiceConfig(process.env);
  const log = new ServiceLogger(config);
  logger = log;
  // Nest's own shutdown hooks re-raise the signal after closing (exit by signal, not 0): handle it here.
  const app = await createApp(config, { shutdownHooks: false });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.error(`${signal} again, exiting now`, CONTEXT);
      process.exit(1);
    }
    stopping = true;
    log.log(`${signal}, shutting down`, CONTEXT);
    setTimeout(() => {
      log.error('shutdown took too long', CONTEXT);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`, CONTEXT);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await app.listen(config.port, config.host);
  // Printed whatever LOG_LEVEL is: scripts and supervisors wait for this line (with PORT=0 it is
  // the only place the port appears).
  new ServiceLogger({ logLevel: 'log', logFormat: config.logFormat }).log(
    `listening on ${await app.getUrl()} (docs at /docs)`,
    CONTEXT,
  );
} catch (e) {
  if (e instanceof ConfigError) {
    // No validated LOG_FORMAT to go by: plain text, every problem on its own line.
    console.error(`${CONTEXT}: ${e.message}`);
    process.exit(2);
  }
  // Kafka unreachable, a missing topic, a data dir held by another process…: one line, then exit.
  const message =
    e instanceof LocalLogLockedError
      ? `failed to start: DATA_DIR is in use by another service process (${e.message}); stop it or use another DATA_DIR`
      : `failed to start: ${e instanceof Error ? e.message : String(e)}`;
  if (logger === undefined) console.error(`${CONTEXT}: ${message}`);
  else logger.fatal(message, CONTEXT);
  process.exit(1);
}
