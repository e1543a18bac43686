import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory per call; {@link removeTempDirs} deletes them all. */
const created: string[] = [];

export function tempDir(prefix = 'local-log-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Leaves a log as a crash would, for in-process tests: nothing is flushed or closed (every write is
 * already on disk, as after a SIGKILL) and the lock file disappears, as if its owner's PID had died.
 */
export function simulateCrash(dir: string): void {
  unlinkSync(join(dir, 'LOCK'));
}
