import { mkdirSync, rmSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncPath, METADATA_FILE, writeCheckpointFiles } from './checkpoint-files.js';
import type { CheckpointHandle, CheckpointStorage } from './checkpoint-storage.js';
import type { CompletedCheckpoint } from './completed-checkpoint.js';
import { decodeCheckpoint, parseCheckpointMetadata } from './snapshot-format.js';

export { METADATA_FILE } from './checkpoint-files.js';

const CHK_DIR = /^chk-(\d+)$/;

/**
 * Stores checkpoints as directories `<dir>/chk-<id>/` (Flink's `FileSystemCheckpointStorage`
 * layout). Writing order makes a checkpoint atomic: the data file is written and fsynced, then the
 * `_metadata` manifest is written to a temporary file, fsynced, renamed into place and the
 * directory fsynced. A directory without `_metadata` is a torn write from a crash: it is ignored
 * by `latest` and `list` (and removed by `discard`).
 *
 * Use one directory per job: ids continue across runs that restore from it.
 *
 * `store` writes synchronously: the job's event loop pauses for the writes and fsyncs (the state
 * was already encoded synchronously), instead of stretching a dozen file-system round trips over as
 * many scheduler passes, which made a checkpoint take hundreds of milliseconds on a busy job.
 *
 * @example
 * ```ts
 * env.enableCheckpointing(10_000);
 * env.getCheckpointConfig().setCheckpointStorage('/var/lib/fraud/checkpoints');
 * // later, in a fresh process:
 * env.execute({ jobName: 'fraud', restoreFrom: '/var/lib/fraud/checkpoints/chk-42' });
 * ```
 */
export class FileCheckpointStorage implements CheckpointStorage {
  constructor(readonly directory: string) {}

  /** The directory of checkpoint `id`. */
  pathOf(checkpointId: number): string {
    return join(this.directory, `chk-${checkpointId}`);
  }

  async store(checkpoint: CompletedCheckpoint): Promise<string> {
    const dir = this.pathOf(checkpoint.checkpointId);
    mkdirSync(this.directory, { recursive: true });
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A torn attempt with the same id (a crash before its manifest) is replaced, never merged.
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
    }
    fsyncPath(this.directory);
    writeCheckpointFiles(dir, checkpoint);
    return dir;
  }

  async latest(): Promise<CompletedCheckpoint | undefined> {
    const handles = await this.list();
    const last = handles[handles.length - 1];
    return last ? this.load(last.checkpointId) : undefined;
  }

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
      const m = CHK_DIR.exec(name);
      if (!m) continue;
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
    return handles.sort((a, b) => a.checkpointId - b.checkpointId);
  }

  async load(checkpointId: number): Promise<CompletedCheckpoint> {
    return FileCheckpointStorage.loadFrom(this.pathOf(checkpointId));
  }

  async discard(checkpointId: number): Promise<void> {
    const dir = this.pathOf(checkpointId);
    // Manifest first: a crash halfway leaves a torn directory, never a manifest without data.
    await rm(join(dir, METADATA_FILE), { force: true });
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * Loads a checkpoint from a path: a `chk-<id>` directory, its `_metadata` file, or a storage
   * directory (then the latest complete checkpoint in it).
   */
  static async loadFrom(path: string): Promise<CompletedCheckpoint> {
    let dir = path;
    if (basename(path) === METADATA_FILE) dir = dirname(path);
    else if (!CHK_DIR.test(basename(path))) {
      const s = await stat(join(path, METADATA_FILE)).catch(() => undefined);
      if (!s) {
        const latest = await new FileCheckpointStorage(path).latest();
        if (!latest) throw new Error(`no complete checkpoint found under '${path}'`);
        return latest;
      }
    }
    let text: string;
    try {
      text = await readFile(join(dir, METADATA_FILE), 'utf8');
    } catch (err) {
      throw new Error(`'${dir}' is not a complete checkpoint (no ${METADATA_FILE})`, { cause: err });
    }
    const meta = parseCheckpointMetadata(text);
    const data = await readFile(join(dir, meta.dataFile.name));
    return decodeCheckpoint(meta, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dir);
  }
}
