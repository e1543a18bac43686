/**
 * The commit half of a two-phase-commit sink (Flink's Sink V2 `Committer`): makes pre-committed
 * work visible once the checkpoint that covers it has completed.
 *
 * `commit` must be idempotent: after a restart the committables of the restored checkpoint are
 * committed again, and some of them may already have been committed before the failure (the
 * notification that the checkpoint completed can be lost with the failure). It may return a promise
 * (the task then waits for it); a rejection fails the task, and the committables are retried after
 * the restart.
 *
 * @example
 * ```ts
 * class RenameCommitter implements Committer<{ from: string; to: string }> {
 *   commit(committables: readonly { from: string; to: string }[]): void {
 *     for (const c of committables) if (existsSync(c.from)) renameSync(c.from, c.to);
 *   }
 * }
 * ```
 */
export interface Committer<CommT> {
  /** Commits `committables`, in the given order (oldest checkpoint first). Idempotent. */
  commit(committables: readonly CommT[]): void | Promise<void>;
  /** Drops committables that will never be committed (optional; not called for completed checkpoints). */
  abort?(committables: readonly CommT[]): void | Promise<void>;
  close?(): void | Promise<void>;
}
