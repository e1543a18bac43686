import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { syncDir } from '../local-log/sync-dir.js';
import type { PrecommittingSinkWriter } from '../two-phase-commit/precommitting-sink-writer.js';
import type { PartFileNames, PartFileNaming } from './part-file-names.js';
import type { PendingFile } from './pending-file.js';

/** What an {@link ExactlyOnceFileWriter} needs, resolved by the sink. */
export interface ExactlyOnceFileWriterConfig<T> {
  readonly directory: string;
  readonly naming: PartFileNaming;
  readonly subtaskIndex: number;
  readonly format: (value: T) => string;
  /** Buffered bytes (approximately: UTF-16 units) after which they are written to the in-progress file. */
  readonly bufferSize: number;
  /** A part file is rolled (closed, made pending) once it holds this many bytes; checkpoints roll too. */
  readonly maxPartBytes: number;
}

interface OpenPart {
  readonly paths: PartFileNames;
  readonly fd: number;
  bytes: number;
}

/**
 * One parallel writer of an {@link ExactlyOnceFileSink}. Lines go to a hidden in-progress file
 * `.<prefix>-<subtask>-<n><suffix>.inprogress` (buffered, written synchronously); at a checkpoint
 * barrier (`prepareCommit`) or once the part reaches `maxPartBytes` it is written out, fsynced,
 * closed and renamed to `.….pending`; the committer gives it its final name when the checkpoint
 * completes. The part counter `n` continues after the highest part of this subtask in the directory.
 *
 * I/O is synchronous (a barrier must find the data durable when `prepareCommit` returns).
 *
 * @example
 * ```ts
 * const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
 * writer.write('a', context);
 * writer.prepareCommit(1); // [{ pendingPath: '…/.part-0-0.pending', finalPath: '…/part-0-0' }]
 * ```
 */
export class ExactlyOnceFileWriter<T> implements PrecommittingSinkWriter<T, PendingFile> {
  private buffer = '';
  private part: OpenPart | null = null;
  private nextPart: number;
  private rolled: PendingFile[] = [];

  constructor(private readonly config: ExactlyOnceFileWriterConfig<T>) {
    mkdirSync(config.directory, { recursive: true });
    let max = -1;
    for (const name of readdirSync(config.directory)) {
      const parsed = config.naming.parse(name);
      if (parsed !== undefined && parsed.subtaskIndex === config.subtaskIndex)
        max = Math.max(max, parsed.partIndex);
    }
    this.nextPart = max + 1;
  }

  write(value: T): void {
    this.buffer += `${this.config.format(value)}\n`;
    if (this.buffer.length >= this.config.bufferSize) this.writeBuffer();
    if (this.part !== null && this.part.bytes >= this.config.maxPartBytes) this.roll();
  }

  /** Nothing: data becomes durable at `prepareCommit`. */
  flush(_endOfInput: boolean): void {}

  prepareCommit(_checkpointId?: number): PendingFile[] {
    if (this.buffer.length > 0) this.writeBuffer();
    if (this.part !== null) this.roll();
    const committables = this.rolled;
    this.rolled = [];
    return committables;
  }

  /** Closes the in-progress file, if any; it stays behind and is deleted by the next recovery. */
  close(): void {
    const part = this.part;
    this.part = null;
    this.buffer = '';
    if (part !== null) closeSync(part.fd);
  }

  private writeBuffer(): void {
    if (this.part === null) {
      const paths = this.config.naming.paths(
        this.config.directory,
        this.config.subtaskIndex,
        this.nextPart++,
      );
      this.part = { paths, fd: openSync(paths.inProgress, 'w'), bytes: 0 };
    }
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.part.fd, bytes, offset, bytes.length - offset);
    this.part.bytes += bytes.length;
  }

  /** Makes the current part pending: fsync, close, rename to `.pending`, fsync the directory. */
  private roll(): void {
    if (this.buffer.length > 0) this.writeBuffer();
    const part = this.part!;
    this.part = null;
    try {
      fdatasyncSync(part.fd);
    } finally {
      closeSync(part.fd);
    }
    renameSync(part.paths.inProgress, part.paths.pending);
    syncDir(this.config.directory);
    this.rolled.push({ pendingPath: part.paths.pending, finalPath: part.paths.final });
  }
}
