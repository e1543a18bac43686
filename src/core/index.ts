/**
 * The streaming engine: Flink's DataStream model in TypeScript. Import from here.
 *
 * @packageDocumentation
 */
export * from './api/index.js';
export * from './checkpoint/index.js';
export * from './connectors/index.js';
export { ChainingStrategy } from './graph/transformation.js';
export * from './restart/index.js';
export { JobExecutionError, type JobExecutionResult, JobStatus } from './runtime/job-execution.js';
export { decodeOperatorSnapshot, encodeOperatorSnapshot } from './runtime/operator-snapshot-codec.js';
export { AbstractStreamOperator } from './runtime/operators/abstract-stream-operator.js';
export { AbstractUdfStreamOperator } from './runtime/operators/abstract-udf-stream-operator.js';
export { CoBroadcastOperator } from './runtime/operators/co-broadcast-operator.js';
export { KeyedProcessOperator } from './runtime/operators/keyed-process-operator.js';
export { ProcessOperator } from './runtime/operators/process-operator.js';
export { StreamGroupedReduceOperator } from './runtime/operators/stream-grouped-reduce-operator.js';
export type { Output } from './runtime/output.js';
export { StreamPartitioner } from './runtime/partitioners/stream-partitioner.js';
export {
  type OneInputStreamOperator,
  type OperatorSnapshot,
  RuntimeExecutionMode,
  type StreamOperator,
  type StreamOperatorParameters,
  type TwoInputStreamOperator,
} from './runtime/stream-operator.js';
export * from './state/index.js';
export {
  type HarnessEvent,
  type HarnessOptions,
  OperatorTestHarness,
} from './testing/operator-test-harness.js';
export * from './time/index.js';
export * from './windows/index.js';
