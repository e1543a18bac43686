import type { SinkWriter } from '../sink.js';

/**
 * The writer of a {@link TwoPhaseCommittingSink} (Flink's `PrecommittingSinkWriter`): besides
 * writing, it pre-commits its work when a checkpoint barrier reaches the sink.
 *
 * `prepareCommit` runs inside the synchronous snapshot of the sink operator, so it must be
 * synchronous and must itself flush what is buffered: everything written before the barrier has to
 * be durable (but invisible) when it returns, and described by the returned committables, which
 * must be plain data (they are stored in the checkpoint). Records written afterwards belong to the
 * next committable. With nothing written since the last call it may return `[]`.
 *
 * @example
 * ```ts
 * class MyWriter implements PrecommittingSinkWriter<string, string> {
 *   private lines: string[] = [];
 *   write(line: string) { this.lines.push(line); }
 *   flush() {}
 *   prepareCommit(checkpointId?: number): string[] {
 *     if (this.lines.length === 0) return [];
 *     const staged = stageDurably(this.lines, checkpointId); // e.g. write + fsync a hidden file
 *     this.lines = [];
 *     return [staged];
 *   }
 *   close() {}
 * }
 * ```
 */
export interface PrecommittingSinkWriter<IN, CommT> extends SinkWriter<IN> {
  /**
   * Pre-commits everything written so far and returns what the committer needs to make it visible.
   * `checkpointId` is the checkpoint whose barrier arrived, or `undefined` for the last call at the
   * end of a bounded input.
   */
  prepareCommit(checkpointId?: number): CommT[];
}
