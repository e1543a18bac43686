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
export * from './local-log/index.js';
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
