import { rmSync } from 'node:fs';
import { afterAll, describe, it } from 'vitest';
import { runExampleScenario, scenarios } from '../service/example-scenarios.js';
import { removeServiceDirs } from '../service/service-harness.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';

// Every example rule of rules/ through the service in Kafka mode (real broker): rules written to
// the compacted rules topic, events produced to the events topic over HTTP, the two stages of
// partition tasks (router -> repartition topic -> DynamicCEP/thresholds), alerts read back from
// the alerts topic by GET /alerts and SSE. The same scenarios and expectations as the embedded
// mode (example-scenarios.ts). One partition per topic: the canary then proves that everything
// before it was processed, as in the embedded mode (several partitions are covered by
// kafka-replicas.test.ts).

const tmpDirs: string[] = [];
afterAll(() => {
  removeServiceDirs();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('every example rule through the service in Kafka mode', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: alerts exactly as expected (GET /alerts and SSE), and not on the quiet events`, async () => {
      await runExampleScenario(scenario, (env) => startKafkaService(uniqueApp('ex'), env), tmpDirs);
    }, 90_000);
  }
});
