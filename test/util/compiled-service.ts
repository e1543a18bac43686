import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { compileFixture } from './compile-fixture.js';
import { type ServiceProcess, spawnService } from './service-process.js';

/** The compiled service of one test file (see {@link useCompiledService}). */
export interface CompiledService {
  /** Starts it with `env` as its whole environment (see `childServiceEnv`); killed in afterAll. */
  spawn(env: NodeJS.ProcessEnv): ServiceProcess;
  /** A temp directory, removed in afterAll. */
  tempDir(prefix: string): string;
  /** Every process started, oldest first. */
  readonly processes: readonly ServiceProcess[];
}

/**
 * Registers the hooks a test file of the compiled service needs: beforeAll compiles `src/main.ts`
 * (as `npm run build` does, `rules/` linked next to it), afterAll SIGKILLs every child a failed test
 * left running and removes the build and every temp dir.
 *
 * @example
 * ```ts
 * const service = useCompiledService('cep-sigterm');
 * const svc = service.spawn(childServiceEnv({ PORT: '0', DATA_DIR: service.tempDir('cep-data-') }));
 * ```
 */
export function useCompiledService(prefix: string, buildTimeoutMs = 180_000): CompiledService {
  let entry: string | undefined;
  const dirs: string[] = [];
  const processes: ServiceProcess[] = [];
  const tempDir = (p: string): string => {
    const dir = mkdtempSync(join(tmpdir(), p));
    dirs.push(dir);
    return dir;
  };
  beforeAll(() => {
    entry = compileFixture('src/main.ts', tempDir(`${prefix}-build-`), {
      decorators: true,
      links: ['rules'],
    });
  }, buildTimeoutMs);
  afterAll(() => {
    for (const p of processes)
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    spawn(env) {
      if (entry === undefined) throw new Error('the service is compiled in beforeAll');
      const p = spawnService(entry, env);
      processes.push(p);
      return p;
    },
    tempDir,
    processes,
  };
}
