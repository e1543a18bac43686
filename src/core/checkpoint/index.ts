export * from './checkpoint-barrier.js';
export * from './checkpoint-config.js';
export type { TriggerOptions } from './checkpoint-coordinator.js';
export * from './checkpoint-exception.js';
export * from './checkpoint-stats.js';
export * from './checkpoint-storage.js';
export * from './completed-checkpoint.js';
export * from './externalized-checkpoint-retention.js';
export * from './file-checkpoint-storage.js';
export * from './memory-checkpoint-storage.js';
export * from './savepoint-storage.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointMetadata,
  decodeCheckpoint,
  encodeCheckpoint,
} from './snapshot-format.js';
