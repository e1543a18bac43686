import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { syncDir } from '../local-log/sync-dir.js';
import type { SinkInitContext } from '../sink.js';
import type { TwoPhaseCommittingSink } from '../two-phase-commit/two-phase-committing-sink.js';
import { ExactlyOnceFileWriter } from './exactly-once-file-writer.js';
import { PartFileNaming } from './part-file-names.js';
import type { PendingFile } from './pending-file.js';
import { PendingFileCommitter } from './pending-file-committer.js';

/** Options of {@link ExactlyOnceFileSink}. */
export interface ExactlyOnceFileSinkOptions<T> {
  /** Record -> line, without the line break. Default: strings as they are, objects as JSON, others via `String`. */
  readonly format?: (value: T) => string;
  /** File name start (default `part`). */
  readonly prefix?: string;
  /** File name end, e.g. `.jsonl` (default none). */
  readonly suffix?: string;
  /** Characters buffered before a write to the in-progress file (default 64 Ki). */
  readonly bufferSize?: number;
  /** Roll to a new part file once one holds this many bytes (default: only at checkpoints). */
  readonly maxPartBytes?: number;
}

/**
 * Writes lines to part files in a directory, exactly once (Flink's `FileSink` with its
 * in-progress / pending / finished life cycle):
 *
 * 1. records are written to a hidden in-progress file `.<prefix>-<subtask>-<n><suffix>.inprogress`;
 * 2. at each checkpoint barrier (pre-commit) the file is fsynced, closed and renamed to
 *    `.….pending` (rolling on checkpoint: the next record starts part `n + 1`);
 * 3. when the checkpoint completes it is renamed to its final name `<prefix>-<subtask>-<n><suffix>`.
 *
 * Recovery: the pending files of the restored checkpoint are finished (idempotent: already renamed
 * ones are skipped), then the in-progress and pending files of the failed attempt that no completed
 * checkpoint covers are deleted (instance `i` of `p` cleans the files of former subtasks `j` with
 * `j % p === i`). A bounded job commits its last part at the end of input, as does a job without
 * checkpoints (its output appears only then). Only final files are visible: names starting with `.`
 * are skipped by `FileSource` and most tools.
 *
 * @example
 * ```ts
 * stream.sinkTo(new ExactlyOnceFileSink<Alert>('out/alerts', { suffix: '.jsonl' }));
 * // out/alerts/part-0-0.jsonl, out/alerts/part-0-1.jsonl, … one per checkpoint and subtask
 * ```
 */
export class ExactlyOnceFileSink<T> implements TwoPhaseCommittingSink<T, PendingFile> {
  readonly twoPhaseCommit = true as const;
  /** Absolute path of the output directory. */
  readonly directory: string;
  readonly naming: PartFileNaming;

  constructor(
    directory: string,
    private readonly options: ExactlyOnceFileSinkOptions<T> = {},
  ) {
    this.directory = resolve(directory);
    this.naming = new PartFileNaming(options.prefix ?? 'part', options.suffix ?? '');
    for (const [name, value] of [
      ['bufferSize', options.bufferSize],
      ['maxPartBytes', options.maxPartBytes],
    ] as const) {
      if (value !== undefined && !(value >= 1)) throw new RangeError(`${name} must be >= 1, got ${value}`);
    }
  }

  createWriter(context: SinkInitContext): ExactlyOnceFileWriter<T> {
    return new ExactlyOnceFileWriter<T>({
      directory: this.directory,
      naming: this.naming,
      subtaskIndex: context.subtaskIndex,
      format: this.options.format ?? defaultFormat,
      bufferSize: this.options.bufferSize ?? 64 * 1024,
      maxPartBytes: this.options.maxPartBytes ?? Number.POSITIVE_INFINITY,
    });
  }

  createCommitter(_context: SinkInitContext): PendingFileCommitter {
    return new PendingFileCommitter();
  }

  /**
   * Deletes the in-progress and pending files left by a failed run for the former subtasks this
   * instance inherits (`j % parallelism === subtaskIndex`); runs after every restored pending file
   * was finished.
   */
  recoverLingering(context: SinkInitContext): void {
    mkdirSync(this.directory, { recursive: true });
    let deleted = 0;
    for (const name of readdirSync(this.directory)) {
      const parsed = this.naming.parse(name);
      if (parsed === undefined || parsed.kind === 'final') continue;
      if (parsed.subtaskIndex % context.parallelism !== context.subtaskIndex) continue;
      rmSync(join(this.directory, name), { force: true });
      deleted++;
    }
    if (deleted > 0) syncDir(this.directory);
  }
}

function defaultFormat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
