import type { Committer } from '../two-phase-commit/committer.js';
import type { LocalLog } from './local-log.js';
import type { PreparedTransaction } from './log-transaction.js';

/** Options of {@link LocalLogCommitter}. */
export interface LocalLogCommitterOptions {
  /**
   * How long a commit may wait for earlier transactions of other writers on shared partitions
   * before it fails (default 60 s).
   */
  readonly blockedTimeoutMs?: number;
  /** How often a blocked commit re-checks besides the log's commit events (default 50 ms). */
  readonly recheckIntervalMs?: number;
}

/**
 * Commits prepared {@link LocalLog} transactions from their handles ({@link LocalLog.commitPreparedSync}),
 * idempotently: a handle whose transactional id already committed its seq is skipped, so committing
 * the handles of a restored checkpoint again is harmless.
 *
 * Transactions of several writers that share a partition must commit in the order they were
 * prepared. When a handle is blocked by an earlier one (another subtask's transaction of the same
 * checkpoint whose notification has not arrived yet), the commit returns a promise that waits for
 * the log's next commits and retries, failing after `blockedTimeoutMs`. A handle whose data is gone
 * fails the commit at once.
 *
 * @example
 * ```ts
 * const committer = new LocalLogCommitter(log);
 * await committer.commit(restoredHandles);
 * ```
 */
export class LocalLogCommitter implements Committer<PreparedTransaction> {
  private readonly blockedTimeoutMs: number;
  private readonly recheckIntervalMs: number;

  constructor(
    private readonly log: LocalLog,
    options: LocalLogCommitterOptions = {},
  ) {
    this.blockedTimeoutMs = options.blockedTimeoutMs ?? 60_000;
    this.recheckIntervalMs = options.recheckIntervalMs ?? 50;
  }

  commit(committables: readonly PreparedTransaction[]): void | Promise<void> {
    const remaining = [...committables];
    this.commitReady(remaining);
    if (remaining.length > 0) return this.commitBlocked(remaining);
  }

  /** Commits whatever can commit, in passes, until nothing more can; leaves the blocked ones in `remaining`. */
  private commitReady(remaining: PreparedTransaction[]): void {
    let progress = true;
    while (progress && remaining.length > 0) {
      progress = false;
      for (let i = 0; i < remaining.length; ) {
        const handle = remaining[i]!;
        const status = this.log.preparedStatus(handle);
        if (status === 'lost') {
          throw new Error(
            `cannot commit local-log transaction '${handle.transactionalId}' #${handle.seq}: its prepared data is gone`,
          );
        }
        if (status === 'blocked') {
          i++;
          continue;
        }
        if (status === 'ready') this.log.commitPreparedSync(handle);
        remaining.splice(i, 1);
        progress = true;
      }
    }
  }

  private async commitBlocked(remaining: PreparedTransaction[]): Promise<void> {
    const deadline = Date.now() + this.blockedTimeoutMs;
    while (remaining.length > 0) {
      if (Date.now() >= deadline) {
        const ids = remaining.map((h) => `'${h.transactionalId}' #${h.seq}`).join(', ');
        throw new Error(
          `local-log commit of ${ids} still blocked by earlier uncommitted transactions after ${this.blockedTimeoutMs} ms`,
        );
      }
      await this.nextCommitOrRecheck();
      this.commitReady(remaining);
    }
  }

  private nextCommitOrRecheck(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const off = this.log.onCommit(done);
      const timer = setTimeout(done, this.recheckIntervalMs);
    });
  }
}
