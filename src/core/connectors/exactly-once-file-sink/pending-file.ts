/**
 * The committable of an {@link ExactlyOnceFileSink}: a finished part file waiting, under its hidden
 * `.pending` name, for its checkpoint to complete. Plain data (stored in checkpoints).
 *
 * @example
 * ```ts
 * const c: PendingFile = { pendingPath: '/out/.part-0-3.pending', finalPath: '/out/part-0-3' };
 * ```
 */
export interface PendingFile {
  /** Absolute path of the pending (fsynced, invisible) file. */
  readonly pendingPath: string;
  /** Absolute path it gets when committed. */
  readonly finalPath: string;
}
