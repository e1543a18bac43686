import type { SourceSplit } from './source.js';

/**
 * One whole file to read, and where to resume. Files are not cut into byte ranges: one split per
 * file keeps line boundaries trivial and the per-reader line order equal to the file's.
 */
export interface FileSplit extends SourceSplit {
  readonly splitId: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Byte offset at which the next unread line starts (0 for a fresh split). */
  readonly offset: number;
  /** How many lines come before `offset`: the 0-based number of the next line. */
  readonly lineNumber: number;
}
