import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FileSplit } from './file-split.js';
import {
  Boundedness,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from './source.js';
import { type SplitAssignment, StaticSplitEnumerator } from './static-split-enumerator.js';
import { TextLineFileReader, type TextLineFileReaderOptions } from './text-line-file-reader.js';

/** Options of {@link FileSource}: read-ahead sizes and how files are handed to readers. */
export interface FileSourceOptions extends Omit<TextLineFileReaderOptions, 'requestSplits'> {
  /**
   * `on-request` (default, as in Flink): an idle reader asks for the next file, which balances
   * files of different sizes. `round-robin`: file `i` goes to reader `i % parallelism`.
   */
  readonly assignment?: SplitAssignment;
}

/**
 * A bounded source of the lines of text files (Flink's `FileSource.forRecordStreamFormat` with
 * `TextLineInputFormat`). Each file is one split, read as UTF-8 line by line; a snapshot stores the
 * byte offset and line number of the next line, so a restored job resumes exactly there.
 *
 * Directories are read recursively, files in name order, skipping names starting with `.` or `_`
 * (hidden and in-progress files, as Flink does). They are listed when the job starts.
 *
 * @example
 * ```ts
 * const lines = env.fromSource(FileSource.forTextLines('in/a.txt', 'in/logs/'), WatermarkStrategy.noWatermarks(), 'lines');
 * const tuned = FileSource.forTextLines('big.txt').withOptions({ chunkSize: 1 << 20 });
 * ```
 */
export class FileSource implements Source<string, FileSplit, FileSplit[]> {
  /** Absolute paths of the files and directories to read. */
  readonly paths: readonly string[];

  private constructor(
    paths: readonly string[],
    private readonly options: FileSourceOptions,
  ) {
    if (paths.length === 0) throw new Error('FileSource needs at least one path');
    this.paths = paths.map((p) => resolve(p));
  }

  /** A source of the lines of the given files and directories. */
  static forTextLines(...paths: string[]): FileSource {
    return new FileSource(paths, {});
  }

  /** A copy of this source with `options` applied over the current ones. */
  withOptions(options: FileSourceOptions): FileSource {
    return new FileSource(this.paths, { ...this.options, ...options });
  }

  getBoundedness(): Boundedness {
    return Boundedness.BOUNDED;
  }

  createEnumerator(context: SplitEnumeratorContext<FileSplit>): SplitEnumerator<FileSplit, FileSplit[]> {
    const files = this.paths.flatMap((path) => listFiles(path));
    const splits = files.map(
      (path, i): FileSplit => ({ splitId: `file-${i}:${path}`, path, offset: 0, lineNumber: 0 }),
    );
    return new StaticSplitEnumerator(context, splits, { assignment: this.assignment() });
  }

  restoreEnumerator(
    context: SplitEnumeratorContext<FileSplit>,
    state: FileSplit[],
  ): SplitEnumerator<FileSplit, FileSplit[]> {
    return new StaticSplitEnumerator(context, state, { assignment: this.assignment() });
  }

  createReader(context: SourceReaderContext): SourceReader<string, FileSplit> {
    return new TextLineFileReader(context, {
      ...this.options,
      requestSplits: this.assignment() === 'on-request',
    });
  }

  private assignment(): SplitAssignment {
    return this.options.assignment ?? 'on-request';
  }
}

/** The file itself, or the files under a directory (recursively, sorted, hidden ones skipped). */
function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files: string[] = [];
  const entries = readdirSync(path).sort();
  for (const name of entries) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    files.push(...listFiles(join(path, name)));
  }
  return files;
}
