/**
 * The exactly-once file sink: part files going in-progress -> pending (pre-commit) -> final (commit).
 */

export { ExactlyOnceFileSink, type ExactlyOnceFileSinkOptions } from './exactly-once-file-sink.js';
export { ExactlyOnceFileWriter, type ExactlyOnceFileWriterConfig } from './exactly-once-file-writer.js';
export { type ParsedPartFile, type PartFileNames, PartFileNaming } from './part-file-names.js';
export type { PendingFile } from './pending-file.js';
export { PendingFileCommitter } from './pending-file-committer.js';
