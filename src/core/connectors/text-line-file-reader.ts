import { type FileHandle, open } from 'node:fs/promises';
import { AVAILABLE, AvailabilityNotifier } from './availability.js';
import type { FileSplit } from './file-split.js';
import { maxRecordsPerPoll, type ReaderOptions } from './reader-options.js';
import { InputStatus, type ReaderOutput, type SourceReader, type SourceReaderContext } from './source.js';

/** Read-ahead and I/O sizes of {@link TextLineFileReader}. */
export interface TextLineFileReaderOptions extends ReaderOptions {
  /** Bytes per file read (default 64 KiB). */
  readonly chunkSize?: number;
  /** Read-ahead stops once this many lines are buffered (default 1000). */
  readonly maxBufferedLines?: number;
  /** Read-ahead stops once the buffered lines hold this many bytes (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Ask the enumerator for a split whenever idle (for `on-request` enumerators). Default true. */
  readonly requestSplits?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/** The file being read. */
interface CurrentFile {
  readonly split: FileSplit;
  handle: FileHandle | null;
  /** Where the next read starts. */
  readOffset: number;
  /** Bytes read after the last line break, not yet a complete line (copies, the read buffer is reused). */
  partial: Buffer[];
  /** Set once the file is fully read into the buffer and its handle is closed. */
  eof: boolean;
  /** Position after the last emitted line: what a snapshot stores. */
  emittedOffset: number;
  emittedLines: number;
}

/**
 * Reads UTF-8 text files line by line, one file (split) at a time.
 *
 * File reads are asynchronous, so a background read fills a bounded line buffer ahead of
 * `pollNext`, which only emits from the buffer and never waits: with the buffer empty and a read in
 * flight it returns NOTHING_AVAILABLE, and `isAvailable()` resolves when the read lands. Reading
 * resumes once the buffer is half drained. Promises are per read chunk, never per line.
 *
 * Lines end at `\n`; a `\r` before it is dropped (CRLF files), a last line without a line break is
 * still a line, a file ending with a line break has no empty last line, and a UTF-8 byte order mark
 * at the start of a file is dropped. Lines are cut at `\n` bytes before decoding, so multi-byte
 * characters split across reads are never broken.
 */
export class TextLineFileReader implements SourceReader<string, FileSplit> {
  private readonly queue: FileSplit[] = [];
  private current: CurrentFile | null = null;
  // The read-ahead buffer of the current file: line texts and the byte offset just after each line.
  private lines: string[] = [];
  private lineEnds: number[] = [];
  private head = 0;
  private bufferedBytes = 0;
  private readonly readBuffer: Buffer;
  private reading = false;
  private readingDone: Promise<void> = AVAILABLE;
  private failure: { error: unknown } | null = null;
  private readonly availability = new AvailabilityNotifier();
  private readonly maxRecordsPerPoll: number;
  private readonly maxBufferedLines: number;
  private readonly maxBufferedBytes: number;
  private readonly requestSplits: boolean;
  private started = false;
  private closed = false;
  private noMoreSplits = false;
  private splitRequested = false;

  constructor(
    private readonly context: SourceReaderContext,
    options?: TextLineFileReaderOptions,
  ) {
    this.maxRecordsPerPoll = maxRecordsPerPoll(options);
    const chunkSize = positiveInteger('chunkSize', options?.chunkSize ?? 64 * 1024);
    this.maxBufferedLines = positiveInteger('maxBufferedLines', options?.maxBufferedLines ?? 1000);
    this.maxBufferedBytes = positiveInteger('maxBufferedBytes', options?.maxBufferedBytes ?? 1024 * 1024);
    this.requestSplits = options?.requestSplits ?? true;
    this.readBuffer = Buffer.allocUnsafe(chunkSize);
  }

  start(): void {
    // The first split request waits for the first pollNext: restored splits may be added after
    // start() and must be read before newly requested ones.
    this.started = true;
  }

  pollNext(output: ReaderOutput<string>): InputStatus {
    let emitted = 0;
    for (;;) {
      const file = this.current;
      if (file === null) {
        const next = this.queue.shift();
        if (next !== undefined) {
          this.openSplit(next);
          continue;
        }
        if (this.noMoreSplits) return InputStatus.END_OF_INPUT;
        this.requestSplit();
        // The request may have been answered synchronously.
        if (this.queue.length > 0 || this.noMoreSplits) continue;
        return InputStatus.NOTHING_AVAILABLE;
      }
      if (this.head < this.lines.length) {
        if (emitted >= this.maxRecordsPerPoll) {
          this.maybeRead();
          return InputStatus.MORE_AVAILABLE;
        }
        const line = this.lines[this.head];
        const end = this.lineEnds[this.head];
        this.head++;
        this.bufferedBytes -= end - file.emittedOffset;
        file.emittedOffset = end;
        file.emittedLines++;
        output.collect(line);
        emitted++;
        continue;
      }
      if (file.eof) {
        this.current = null;
        this.clearBuffer();
        continue;
      }
      // Lines read before the failure are emitted first.
      if (this.failure !== null) throw this.failure.error;
      this.maybeRead();
      return InputStatus.NOTHING_AVAILABLE;
    }
  }

  isAvailable(): Promise<void> {
    if (this.failure !== null || this.closed) return AVAILABLE;
    const file = this.current;
    if (file === null) {
      return this.queue.length > 0 || this.noMoreSplits ? AVAILABLE : this.availability.wait();
    }
    if (this.head < this.lines.length || file.eof) return AVAILABLE;
    this.maybeRead();
    return this.availability.wait();
  }

  addSplits(splits: FileSplit[]): void {
    this.queue.push(...splits);
    this.splitRequested = false;
    this.availability.notify();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.availability.notify();
  }

  snapshotState(_checkpointId: number): FileSplit[] {
    const splits: FileSplit[] = [];
    const file = this.current;
    if (file !== null) {
      splits.push({ ...file.split, offset: file.emittedOffset, lineNumber: file.emittedLines });
    }
    splits.push(...this.queue);
    return splits;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.availability.notify();
    // Let an in-flight read land before closing the handle it uses.
    await this.readingDone;
    const handle = this.current?.handle;
    if (this.current !== null) this.current.handle = null;
    await handle?.close();
  }

  private openSplit(split: FileSplit): void {
    this.current = {
      split,
      handle: null,
      readOffset: split.offset,
      partial: [],
      eof: false,
      emittedOffset: split.offset,
      emittedLines: split.lineNumber,
    };
    this.clearBuffer();
    this.maybeRead();
  }

  private clearBuffer(): void {
    this.lines = [];
    this.lineEnds = [];
    this.head = 0;
    this.bufferedBytes = 0;
  }

  /** Starts a background read unless one runs, the file is done, or the buffer is still half full. */
  private maybeRead(): void {
    const file = this.current;
    if (!this.started || this.reading || this.closed || this.failure !== null || file === null || file.eof)
      return;
    const bufferedLines = this.lines.length - this.head;
    if (bufferedLines * 2 > this.maxBufferedLines || this.bufferedBytes * 2 > this.maxBufferedBytes) return;
    this.reading = true;
    this.readingDone = this.readAhead(file).then(
      () => {
        this.reading = false;
        this.availability.notify();
      },
      (error: unknown) => {
        this.reading = false;
        this.failure = { error };
        this.availability.notify();
      },
    );
  }

  private async readAhead(file: CurrentFile): Promise<void> {
    if (file.handle === null) {
      file.handle = await open(file.split.path, 'r');
      if (this.closed) return;
    }
    while (
      this.lines.length - this.head < this.maxBufferedLines &&
      this.bufferedBytes < this.maxBufferedBytes
    ) {
      const handle: FileHandle = file.handle;
      const { bytesRead } = await handle.read(this.readBuffer, 0, this.readBuffer.length, file.readOffset);
      if (this.closed) return;
      if (bytesRead === 0) {
        if (file.partial.length > 0) this.pushLine(file, concat(file.partial), file.readOffset);
        file.partial = [];
        file.handle = null;
        await handle.close();
        file.eof = true;
        return;
      }
      this.compactBuffer();
      this.parseChunk(file, this.readBuffer.subarray(0, bytesRead));
      file.readOffset += bytesRead;
      this.availability.notify();
    }
  }

  /** Cuts complete lines out of `chunk`, which starts at `file.readOffset` and is reused by the next read. */
  private parseChunk(file: CurrentFile, chunk: Buffer): void {
    const length = chunk.length;
    let start = 0;
    let newline = chunk.indexOf(LF, 0);
    while (newline !== -1) {
      const lineEnd = file.readOffset + newline + 1;
      if (file.partial.length > 0) {
        file.partial.push(chunk.subarray(0, newline));
        this.pushLine(file, concat(file.partial), lineEnd);
        file.partial = [];
      } else {
        this.pushLine(file, chunk.subarray(start, newline), lineEnd);
      }
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < length) file.partial.push(Buffer.from(chunk.subarray(start, length)));
  }

  /** Buffers one line given its bytes without the `\n`, and the file offset just after it. */
  private pushLine(file: CurrentFile, bytes: Buffer, lineEnd: number): void {
    const previousEnd =
      this.lineEnds.length > this.head ? this.lineEnds[this.lineEnds.length - 1] : file.emittedOffset;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let line = bytes.toString('utf8', 0, end);
    if (previousEnd === 0 && line.charCodeAt(0) === BOM) line = line.slice(1);
    this.lines.push(line);
    this.lineEnds.push(lineEnd);
    this.bufferedBytes += lineEnd - previousEnd;
  }

  /** Drops emitted lines from the front of the arrays once they are the larger part. */
  private compactBuffer(): void {
    if (this.head === 0) return;
    if (this.head === this.lines.length) {
      this.lines.length = 0;
      this.lineEnds.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.lines.length) {
      this.lines.splice(0, this.head);
      this.lineEnds.splice(0, this.head);
      this.head = 0;
    }
  }

  private requestSplit(): void {
    if (!this.requestSplits || !this.started || this.noMoreSplits || this.splitRequested) return;
    this.splitRequested = true;
    this.context.sendSplitRequest();
  }
}

function concat(parts: Buffer[]): Buffer {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
