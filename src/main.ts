/**
 * `npm start`: boots the rule service (embedded mode, or Kafka mode with `KAFKA_BROKERS`) with
 * the configuration from the environment. Exit codes: 2 on invalid configuration, 1 when it
 * cannot start (e.g. Kafka unreachable), 0 after a
 * graceful shutdown on SIGTERM/SIGINT (the app closes: the job is cancelled, journals are
 * committed, the local log is closed), 1 when shutdown fails or takes over 30 s, or on a second
 * signal.
 */
import { ConfigError, createApp, loadServiceConfig } from './service/index.js';

const SHUTDOWN_TIMEOUT_MS = 30_000;

try {
  const config = loadServiceConfig(process.env);
  // Nest's own shutdown hooks re-raise the signal after closing (exit by signal, not 0): handle it here.
  const app = await createApp(config, { shutdownHooks: false });
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`cep-rule-service: ${signal} again, exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`cep-rule-service: ${signal}, shutting down`);
    setTimeout(() => {
      console.error('cep-rule-service: shutdown took too long');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('cep-rule-service: shutdown failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await app.listen(config.port, config.host);
  console.log(`cep-rule-service listening on ${await app.getUrl()} (docs at /docs)`);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`cep-rule-service: ${e.message}`);
    process.exit(2);
  }
  // Kafka unreachable, a missing topic, a data dir held by another process…: say so and exit.
  console.error(`cep-rule-service: failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
