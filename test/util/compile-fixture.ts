import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (test/util/..). */
export const REPO = resolve(import.meta.dirname, '../..');

/** Options of {@link compileFixture}. */
export interface CompileFixtureOptions {
  /** Emit decorator metadata (the NestJS service needs it). */
  readonly decorators?: boolean;
  /** Repo directories the compiled code reads at run time, linked next to it (e.g. `rules`). */
  readonly links?: readonly string[];
}

/**
 * Compiles a TypeScript fixture (and the sources it imports) to plain ESM JavaScript in `outDir`
 * with the repo's own `tsc`, and returns the compiled entry's path. Crash tests run it as a child
 * process that they can `kill -9`: vitest cannot be the child, and the repo has no TypeScript
 * loader (no tsx, and Node 20 does not strip types).
 *
 * @example
 * ```ts
 * const entry = compileFixture('test/core/checkpoint/fixtures/stateful-job.ts', tempDir);
 * spawn(process.execPath, [entry, dataDir]);
 * ```
 */
export function compileFixture(fixture: string, outDir: string, options: CompileFixtureOptions = {}): string {
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules/typescript/bin/tsc'),
      '--ignoreConfig',
      '--outDir',
      outDir,
      '--rootDir',
      REPO,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--skipLibCheck',
      '--strict',
      ...(options.decorators === true ? ['--experimentalDecorators', '--emitDecoratorMetadata'] : []),
      join(REPO, fixture),
    ],
    { cwd: REPO, stdio: 'pipe' },
  );
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  // Packages the sources import (kafkajs, …) resolve from the repo's node_modules.
  symlinkSync(join(REPO, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  for (const dir of options.links ?? []) symlinkSync(join(REPO, dir), join(outDir, dir), 'dir');
  return join(outDir, fixture.replace(/\.ts$/, '.js'));
}
