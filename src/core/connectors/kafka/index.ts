/** Kafka connectors: the client port (kafkajs behind it), topic setup, source and sink. */

export { type EnsureTopicsRequest, ensureTopics, type InternalTopic } from './ensure-topics.js';
export type { KafkaCommittable, KafkaSinkMessage } from './kafka-committable.js';
export { commitMarkerGroup, KafkaCommitter, type KafkaCommitterConfig } from './kafka-committer.js';
export {
  DEAD_LETTER_HEADERS,
  deadLetterHeaders,
  jsonDeserializer,
  type KafkaDeserializer,
} from './kafka-deserializer.js';
export {
  isFencedError,
  isRetriableKafkaError,
  KafkaMissingTopicsError,
  KafkaProducerFencedError,
  kafkaErrorTypes,
} from './kafka-errors.js';
export { type KafkaPartitionSplit, kafkaSplitId } from './kafka-partition-split.js';
export type * from './kafka-port.js';
export { KafkaSink, type KafkaSinkOptions } from './kafka-sink.js';
export { KafkaSinkWriter, type KafkaSinkWriterConfig } from './kafka-sink-writer.js';
export { KafkaSource, type KafkaSourceOptions, type KafkaStartingOffsets } from './kafka-source.js';
export { KafkaSourceReader, type KafkaSourceReaderConfig } from './kafka-source-reader.js';
export {
  type FetchedAbortedTransaction,
  type FetchedRecord,
  installKafkajsAbortedTransactionFilter,
  markAbortedRecords,
} from './kafkajs-aborted-filter.js';
export { KafkajsPort, type KafkajsPortOptions } from './kafkajs-port.js';
export * from './partitioned/index.js';
export { type RetryOptions, retryWithBackoff } from './retry-with-backoff.js';
