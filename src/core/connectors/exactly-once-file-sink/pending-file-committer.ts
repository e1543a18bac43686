import { existsSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncDir } from '../local-log/sync-dir.js';
import type { Committer } from '../two-phase-commit/committer.js';
import type { PendingFile } from './pending-file.js';

/**
 * Commits {@link PendingFile}s by renaming them to their final names (then fsyncs the directory).
 * Idempotent: a file already renamed (its pending name gone, its final name there) is skipped; a
 * file with neither name fails the commit.
 *
 * @example
 * ```ts
 * new PendingFileCommitter().commit([{ pendingPath: '/out/.part-0-3.pending', finalPath: '/out/part-0-3' }]);
 * ```
 */
export class PendingFileCommitter implements Committer<PendingFile> {
  commit(committables: readonly PendingFile[]): void {
    const dirs = new Set<string>();
    for (const c of committables) {
      try {
        renameSync(c.pendingPath, c.finalPath);
        dirs.add(dirname(c.finalPath));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(c.finalPath)) {
          throw new Error(`cannot commit ${c.pendingPath}: neither it nor ${c.finalPath} exists`, {
            cause: e,
          });
        }
      }
    }
    for (const dir of dirs) syncDir(dir);
  }
}
