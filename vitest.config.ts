import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/service/**', 'test/e2e/**'],
        },
      },
      {
        // The NestJS service: its decorators need emitted metadata, which esbuild/oxc do not
        // produce, so this project (and only it) transforms with SWC (docs.nestjs.com/recipes/swc).
        extends: true,
        plugins: [swc.vite({ jsc: { target: 'es2022' } })],
        test: {
          name: 'service',
          include: ['test/service/**/*.test.ts'],
        },
      },
      {
        // Tests against a real Kafka broker: the engine's connectors (test/integration) and the service
        // in Kafka mode (test/e2e, booting Nest, hence SWC here too). The global setup starts a broker
        // (unless KAFKA_BROKERS is set), and vitest runs it only when a file of this project is
        // selected. One file at a time, after the unit tests: the files share the broker, and some
        // restart it.
        extends: true,
        plugins: [swc.vite({ jsc: { target: 'es2022' } })],
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/integration/kafka/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
