/**
 * The embedded mode's durable local log: topics, partitions, transactions and readers.
 */

export type { CommitRecord, CommittedRange } from './commit-log.js';
export {
  type BeginTransactionOptions,
  type CommitPreparedResult,
  LocalLog,
  type LocalLogOptions,
  type WaitOptions,
} from './local-log.js';
export { LocalLogCorruptionError, LocalLogLockedError } from './local-log-errors.js';
export { jsonValue, type LogRecord } from './log-record.js';
export {
  type AppendOptions,
  LogTransaction,
  type PreparedRange,
  type PreparedTransaction,
  type TransactionState,
} from './log-transaction.js';
export { LogPartitionReader } from './partition-reader.js';
