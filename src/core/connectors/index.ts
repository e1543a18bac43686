/**
 * Sources and sinks: the FLIP-27 source and Sink V2 contracts, and the built-in connectors.
 */

export {
  AsyncIterableSource,
  type AsyncIterableSourceOptions,
  type AsyncIterableSplit,
} from './async-iterable-source.js';
export { AVAILABLE, AvailabilityNotifier } from './availability.js';
export { type CollectedRecord, CollectSink } from './collect-sink.js';
export { DataGeneratorSource, type DataGeneratorSourceOptions } from './data-generator-source.js';
export * from './exactly-once-file-sink/index.js';
export {
  LineFileSink,
  type LineFileSinkOptions,
  LineFileSinkWriter,
  type LineFileWriterConfig,
} from './file-sink.js';
export { FileSource, type FileSourceOptions } from './file-source.js';
export type { FileSplit } from './file-split.js';
export { FromElementsSource } from './from-elements-source.js';
export { IndexRangeSourceReader, type IndexRangeSourceReaderOptions } from './index-range-source-reader.js';
export { type IndexRangeSplit, splitIndexRange } from './index-range-split.js';
export * from './kafka/index.js';
export * from './local-log/index.js';
export { LocalLogCommitter, type LocalLogCommitterOptions } from './local-log/local-log-committer.js';
export {
  type DeadLetter,
  type DeadLetterEnvelope,
  type DeadLetterHandler,
  type DeadLetterTopic,
  DeadLetterTopicWriter,
} from './local-log/local-log-dead-letter.js';
export { type LocalLogPartitioner, partitionChooser } from './local-log/local-log-partitioner.js';
export {
  type DeliveryGuarantee,
  LocalLogSink,
  type LocalLogSinkOptions,
} from './local-log/local-log-sink.js';
export { LocalLogSinkWriter, type LocalLogSinkWriterConfig } from './local-log/local-log-sink-writer.js';
export {
  LocalLogSource,
  type LocalLogSourceOptions,
  type LocalLogStartingOffsets,
} from './local-log/local-log-source.js';
export {
  LocalLogSourceReader,
  type LocalLogSourceReaderConfig,
} from './local-log/local-log-source-reader.js';
export { type LocalLogSplit, localLogSplitId } from './local-log/local-log-split.js';
export { NumberSequenceSource } from './number-sequence-source.js';
export { PrintSink, type PrintSinkOptions, type PrintTarget } from './print-sink.js';
export { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export { DEFAULT_MAX_RECORDS_PER_POLL, type ReaderOptions } from './reader-options.js';
export type { Sink, SinkInitContext, SinkWriter, SinkWriterContext } from './sink.js';
export {
  Boundedness,
  InputStatus,
  type ReaderOutput,
  type Source,
  type SourceOutput,
  type SourceReader,
  type SourceReaderContext,
  type SourceSplit,
  type SplitEnumerator,
  type SplitEnumeratorContext,
} from './source.js';
export {
  type SplitAssignment,
  StaticSplitEnumerator,
  type StaticSplitEnumeratorOptions,
} from './static-split-enumerator.js';
export { TextLineFileReader, type TextLineFileReaderOptions } from './text-line-file-reader.js';
export * from './two-phase-commit/index.js';
