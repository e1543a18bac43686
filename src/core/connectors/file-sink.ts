import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Sink, SinkInitContext, SinkWriter } from './sink.js';

/** Options of {@link LineFileSink}. */
export interface LineFileSinkOptions<T> {
  /** Turns a record into its line (without the line break). Default: strings as they are, objects as JSON, others via `String`. */
  readonly format?: (value: T) => string;
  /** File name before `-<subtask>` (default `part`, as in Flink's `part-<n>` files). */
  readonly prefix?: string;
  /** File name after `-<subtask>`, e.g. `.txt` (default none). */
  readonly suffix?: string;
  /**
   * Append to existing files instead of truncating them when a writer opens its file (default
   * false). Truncating loses what a restarted job wrote before its last checkpoint; appending
   * repeats what it wrote after it (at-least-once). Exactly-once needs the two-phase-commit variant.
   */
  readonly append?: boolean;
  /** Buffered characters after which a background write starts (default 64 Ki). */
  readonly bufferSize?: number;
  /** Buffered plus in-flight characters above which `write` returns a promise, pausing the task (default 1 Mi). */
  readonly highWaterMark?: number;
}

/** The resolved options a {@link LineFileSinkWriter} works with. */
export interface LineFileWriterConfig<T> {
  readonly format: (value: T) => string;
  readonly append: boolean;
  readonly bufferSize: number;
  readonly highWaterMark: number;
}

/**
 * Writes each record as one line to a file per parallel writer, `<directory>/part-<subtask>`, the
 * directory created as needed. Writes are buffered and go to disk in the background; a writer that
 * gets too far ahead of the disk makes the task wait (backpressure). A writer that receives no
 * record creates no file.
 *
 * @example
 * ```ts
 * stream.sinkTo(new LineFileSink<Alert>('out/alerts', { format: (a) => `${a.rule},${a.key}`, suffix: '.csv' }));
 * // out/alerts/part-0.csv, out/alerts/part-1.csv, ...
 * ```
 */
export class LineFileSink<T> implements Sink<T> {
  /** Absolute path of the output directory. */
  readonly directory: string;
  protected readonly config: LineFileWriterConfig<T>;

  constructor(
    directory: string,
    private readonly options: LineFileSinkOptions<T> = {},
  ) {
    this.directory = resolve(directory);
    const bufferSize = options.bufferSize ?? 64 * 1024;
    const highWaterMark = options.highWaterMark ?? 1024 * 1024;
    if (!(bufferSize >= 1) || !(highWaterMark >= 1)) {
      throw new RangeError(
        `bufferSize and highWaterMark must be >= 1, got ${bufferSize} and ${highWaterMark}`,
      );
    }
    this.config = {
      format: options.format ?? defaultFormat,
      append: options.append ?? false,
      // A background write must already be running whenever the high-water mark is crossed.
      bufferSize: Math.min(bufferSize, highWaterMark),
      highWaterMark,
    };
  }

  /** The file the writer of `subtaskIndex` writes. */
  partPath(subtaskIndex: number): string {
    return join(
      this.directory,
      `${this.options.prefix ?? 'part'}-${subtaskIndex}${this.options.suffix ?? ''}`,
    );
  }

  createWriter(context: SinkInitContext): SinkWriter<T> {
    return new LineFileSinkWriter(this.partPath(context.subtaskIndex), this.config);
  }
}

/**
 * One parallel writer of a {@link LineFileSink}. Made to be extended (two-phase commit): override
 * {@link filePath} to write elsewhere (an in-progress file) and call {@link closeCurrentFile} to
 * finish a file; the next record then opens a new one.
 */
export class LineFileSinkWriter<T> implements SinkWriter<T> {
  /** Lines not yet handed to the file system. */
  private pending = '';
  private pendingSize = 0;
  private inFlightSize = 0;
  private handle: FileHandle | null = null;
  private openedPath: string | null = null;
  /** The running background write; never rejects (errors land in `failure`). */
  private draining: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private closed = false;

  constructor(
    protected readonly path: string,
    protected readonly config: LineFileWriterConfig<T>,
  ) {}

  write(value: T): void | Promise<void> {
    if (this.closed) throw new Error(`write to closed LineFileSinkWriter (${this.path})`);
    this.throwIfFailed();
    const line = this.config.format(value);
    this.pending += `${line}\n`;
    this.pendingSize += line.length + 1;
    if (this.pendingSize >= this.config.bufferSize) this.startDrain();
    if (this.pendingSize + this.inFlightSize > this.config.highWaterMark) return this.drained();
  }

  /** Writes out everything buffered; the returned promise settles when the file system has it. */
  flush(_endOfInput: boolean): void | Promise<void> {
    this.throwIfFailed();
    if (this.pendingSize === 0 && this.draining === null) return;
    this.startDrain();
    return this.drained();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.closeCurrentFile();
    } finally {
      // Never leak the descriptor, even when the last write failed.
      await this.handle?.close();
      this.handle = null;
    }
  }

  /** Where the next file is opened; called each time a file is opened. */
  protected filePath(): string {
    return this.path;
  }

  /**
   * Writes out the buffer and closes the current file, returning its path (`null` if none was
   * open). The next record opens a new file at {@link filePath}.
   */
  protected async closeCurrentFile(): Promise<string | null> {
    if (this.pendingSize > 0 || this.draining !== null) {
      this.startDrain();
      await this.drained();
    }
    this.throwIfFailed();
    const handle = this.handle;
    const path = this.openedPath;
    this.handle = null;
    this.openedPath = null;
    await handle?.close();
    return path;
  }

  private startDrain(): void {
    if (this.draining !== null) return;
    this.draining = this.drain().then(
      () => {
        this.draining = null;
      },
      (error: unknown) => {
        this.failure = { error };
        this.draining = null;
      },
    );
  }

  /** Settles when the running background write has finished; rejects if it failed. */
  private async drained(): Promise<void> {
    await this.draining;
    this.throwIfFailed();
  }

  private async drain(): Promise<void> {
    let handle = this.handle;
    if (handle === null) {
      const path = this.filePath();
      await mkdir(dirname(path), { recursive: true });
      handle = await open(path, this.config.append ? 'a' : 'w');
      this.handle = handle;
      this.openedPath = path;
    }
    // Lines written while a write is in flight are picked up by the next round.
    while (this.pendingSize > 0) {
      const bytes = Buffer.from(this.pending, 'utf8');
      this.inFlightSize = this.pendingSize;
      this.pending = '';
      this.pendingSize = 0;
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
      this.inFlightSize = 0;
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}

function defaultFormat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
