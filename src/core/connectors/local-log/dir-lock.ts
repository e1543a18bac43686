import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLogLockedError } from './local-log-errors.js';

/**
 * The single-writer lock of a log directory: a file `LOCK` holding the owner's PID. Node has no
 * `flock`, so liveness is judged by PID: a lock whose process is gone (a crash, SIGKILL) is taken
 * over, a lock of a live process fails the open.
 *
 * Limits (documented, not solved): two processes taking over the same stale lock at the very same
 * moment can both believe they won; a recycled PID of an unrelated process makes a stale lock look
 * live (remove `LOCK` by hand then); the lock means nothing across machines (NFS).
 *
 * @example
 * ```ts
 * const lock = DirLock.acquire(dir);
 * try { work(); } finally { lock.release(); }
 * ```
 */
export class DirLock {
  private released = false;

  private constructor(readonly path: string) {}

  /** Takes the lock of `dir` or throws {@link LocalLogLockedError}. */
  static acquire(dir: string): DirLock {
    const path = join(dir, 'LOCK');
    const mine = `${process.pid}\n`;
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return new DirLock(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(path);
    if (owner !== undefined && (owner === process.pid || isAlive(owner))) {
      throw new LocalLogLockedError(`log directory ${dir} is locked by live process ${owner} (${path})`);
    }
    // Stale: replace it atomically, then check that no concurrent taker replaced it after us.
    const temp = `${path}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, mine);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    if (readOwner(path) !== process.pid) {
      throw new LocalLogLockedError(`log directory ${dir}: lost the race to take over a stale lock`);
    }
    return new DirLock(path);
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readOwner(this.path) === process.pid) unlinkSync(this.path);
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
