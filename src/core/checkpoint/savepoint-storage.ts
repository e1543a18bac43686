import { mkdirSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, METADATA_FILE, writeCheckpointFiles } from './checkpoint-files.js';
import type { CheckpointHandle, CheckpointStorage } from './checkpoint-storage.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';
import { FileCheckpointStorage } from './file-checkpoint-storage.js';
import { parseCheckpointMetadata } from './snapshot-format.js';

const SAVEPOINT_DIR = /^savepoint-(.+)-(\d+)(?:-[0-9a-f]+)?$/;

/**
 * Where `job.triggerSavepoint(dir)` and `job.stopWithSavepoint(dir)` put savepoints (Flink's
 * savepoint target directory): each in its own `<dir>/savepoint-<jobId>-<id>/` directory, written
 * like a checkpoint (`state.bin`, then `_metadata` atomically), so a savepoint path is a valid
 * `restoreFrom`. Savepoints belong to the user: no retention deletes them, a job never restarts
 * from them on its own, and an existing directory is never overwritten (a name taken by another
 * process's job gets a random suffix).
 *
 * @example
 * ```ts
 * const path = await job.triggerSavepoint('/var/lib/fraud/savepoints');
 * // path === '/var/lib/fraud/savepoints/savepoint-job-1-7'
 * env.execute({ jobName: 'fraud', restoreFrom: path });
 * ```
 */
export class FileSavepointStorage implements CheckpointStorage {
  constructor(
    readonly directory: string,
    readonly jobId: string,
  ) {}

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    mkdirSync(this.directory, { recursive: true });
    const base = join(this.directory, `savepoint-${this.jobId}-${checkpoint.checkpointId}`);
    let dir = base;
    for (;;) {
      try {
        mkdirSync(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        dir = `${base}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
      }
    }
    fsyncPath(this.directory);
    writeCheckpointFiles(dir, checkpoint);
    return dir;
  }

  /** The newest complete savepoint of any job in the directory. */
  async latest(): Promise<CompletedCheckpoint | undefined> {
    const handles = await this.list();
    const last = handles[handles.length - 1];
    return last ? FileCheckpointStorage.loadFrom(last.pointer) : undefined;
  }

  /** Complete savepoints in the directory (any job), by ascending id then timestamp. */
  async list(): Promise<CheckpointHandle[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const handles: CheckpointHandle[] = [];
    for (const name of names) {
      if (!SAVEPOINT_DIR.test(name)) continue;
      const dir = join(this.directory, name);
      let text: string;
      try {
        text = await readFile(join(dir, METADATA_FILE), 'utf8');
      } catch {
        continue; // torn: no manifest
      }
      const meta = parseCheckpointMetadata(text);
      handles.push({
        checkpointId: meta.checkpointId,
        timestamp: meta.timestamp,
        kind: meta.kind,
        pointer: dir,
      });
    }
    return handles.sort((a, b) => a.checkpointId - b.checkpointId || a.timestamp - b.timestamp);
  }

  /** The savepoint `checkpointId` of this storage's job. */
  async load(checkpointId: number): Promise<CompletedCheckpoint> {
    return FileCheckpointStorage.loadFrom(join(this.directory, `savepoint-${this.jobId}-${checkpointId}`));
  }

  /** Deletes a savepoint of this storage's job (only when asked: nothing here calls it). */
  async discard(checkpointId: number): Promise<void> {
    const dir = join(this.directory, `savepoint-${this.jobId}-${checkpointId}`);
    await rm(join(dir, METADATA_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
