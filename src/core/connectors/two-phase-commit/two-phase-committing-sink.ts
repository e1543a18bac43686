import type { Sink, SinkInitContext } from '../sink.js';
import type { Committer } from './committer.js';
import type { PrecommittingSinkWriter } from './precommitting-sink-writer.js';

/**
 * An exactly-once sink (Flink's Sink V2 `TwoPhaseCommittingSink`): its writer pre-commits at every
 * checkpoint barrier ({@link PrecommittingSinkWriter.prepareCommit}) and its {@link Committer}
 * makes that work visible once the checkpoint has completed. `DataStream.sinkTo` recognises such a
 * sink (see {@link isTwoPhaseCommittingSink}) and runs it with the committing sink operator, which
 * keeps the pending committables in the checkpoint and commits them again after a restore.
 *
 * Life cycle per parallel instance: `recoverLingering` once at start-up (after the committables of
 * the restored checkpoint were committed), then `createWriter`; `createCommitter` once.
 *
 * @example
 * ```ts
 * class StagedFileSink implements TwoPhaseCommittingSink<string, StagedFile> {
 *   readonly twoPhaseCommit = true;
 *   createWriter(ctx: SinkInitContext) { return new StagedFileWriter(ctx.subtaskIndex); }
 *   createCommitter() { return new StagedFileCommitter(); }
 *   recoverLingering() { removeStrayStagedFiles(); }
 * }
 * stream.sinkTo(new StagedFileSink());
 * ```
 */
export interface TwoPhaseCommittingSink<IN, CommT> extends Sink<IN> {
  /** Marks the sink as two-phase committing (what `sinkTo` checks). */
  readonly twoPhaseCommit: true;
  createWriter(context: SinkInitContext): PrecommittingSinkWriter<IN, CommT>;
  createCommitter(context: SinkInitContext): Committer<CommT>;
  /**
   * Cleans up work a failed earlier run left behind and nobody will commit (e.g. the log's prepared
   * but uncommitted data, stray in-progress files). Called once per parallel instance at start-up,
   * after the restored committables of every instance were committed (each instance commits all of
   * them), before the first record. Optional.
   */
  recoverLingering?(context: SinkInitContext): void | Promise<void>;
}

/**
 * Whether `sink` is a {@link TwoPhaseCommittingSink}.
 *
 * @example
 * ```ts
 * const operator = isTwoPhaseCommittingSink(sink) ? new CommittingSinkOperator(sink) : new SinkWriterOperator(sink);
 * ```
 */
export function isTwoPhaseCommittingSink<IN>(sink: Sink<IN>): sink is TwoPhaseCommittingSink<IN, unknown> {
  const s = sink as Partial<TwoPhaseCommittingSink<IN, unknown>>;
  return s.twoPhaseCommit === true && typeof s.createCommitter === 'function';
}
