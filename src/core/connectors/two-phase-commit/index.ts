/**
 * The two-phase-commit sink contract (Flink's Sink V2 `TwoPhaseCommittingSink`): writers pre-commit
 * at checkpoints, committers make the work visible when the checkpoint completes.
 */

export type { Committer } from './committer.js';
export type { PrecommittingSinkWriter } from './precommitting-sink-writer.js';
export { isTwoPhaseCommittingSink, type TwoPhaseCommittingSink } from './two-phase-committing-sink.js';
