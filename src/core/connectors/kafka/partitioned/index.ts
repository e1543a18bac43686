/** DESIGN §4's Kafka mode: one task per input partition, one transaction per task per commit interval. */

export {
  type BacklogAwareIdlenessOptions,
  backlogAwareIdleness,
  type PartitionBacklog,
} from './backlog-aware-idleness.js';
export {
  assembleSnapshot,
  CHANGELOG_HEADERS,
  ChangelogDigests,
  type ChangelogEntry,
  changelogEntries,
  decodeSnapshotRecord,
  encodeSnapshotValue,
  type ReadSnapshotOptions,
  type RestoredTaskSnapshot,
  readLatestSnapshot,
} from './changelog.js';
export {
  KafkaPartitionedRunner,
  type KafkaPartitionedRunnerOptions,
  type PartitionJobFactory,
  type PartitionRunnerEvent,
  type PartitionTaskInfo,
} from './kafka-partitioned-runner.js';
export { PartitionTaskSink } from './partition-sink.js';
export {
  PartitionTaskSource,
  type PartitionTaskSourceOptions,
  type PartitionTaskSplit,
} from './partition-source.js';
export {
  isWatermarkRecord,
  type UpstreamWatermark,
  UpstreamWatermarks,
  WATERMARK_HEADERS,
  type WatermarkRecordTarget,
  watermarkRecords,
} from './repartition-watermarks.js';
export { TaskCommitContext } from './task-commit-context.js';
export { byTopic, type TaskOutputRecord } from './task-output-record.js';
export {
  TransactionalCheckpointStorage,
  type TransactionalCheckpointStorageConfig,
} from './transactional-checkpoint-storage.js';
