import { readdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { rulesDir } from '../rules/helpers.js';
import { runExampleScenario, scenarios } from './example-scenarios.js';
import { removeServiceDirs, startService } from './service-harness.js';

// Every example rule of rules/ through the embedded service over HTTP and SSE (the scenarios and
// how they are checked: example-scenarios.ts).

const tmpDirs: string[] = [];
afterAll(() => {
  removeServiceDirs();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('every example rule through the service over HTTP', () => {
  it('covers every example of rules/', () => {
    const files = readdirSync(rulesDir)
      .filter((f) => f.endsWith('.json') && f !== 'schema.json')
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(scenarios.map((s) => s.name).sort()).toEqual(files);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: alerts exactly as expected (GET /alerts and SSE), and not on the quiet events`, async () => {
      await runExampleScenario(scenario, startService, tmpDirs);
    }, 60_000);
  }
});
