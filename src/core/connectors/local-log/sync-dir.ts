import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * fsync of a directory, so that file creations, renames and deletions in it survive a power loss
 * (fsync of a file covers its contents, not its directory entry).
 *
 * @example
 * ```ts
 * renameSync(temp, path);
 * syncDir(dirname(path));
 * ```
 */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
