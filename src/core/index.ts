/**
 * The streaming engine: Flink's DataStream model in TypeScript. Import from here.
 *
 * @packageDocumentation
 */
export * from './api/index.js';
export * from './connectors/index.js';
export * from './state/index.js';
export * from './time/index.js';
export { JobExecutionError, JobStatus, type JobExecutionResult } from './runtime/job-execution.js';
export {
  RuntimeExecutionMode,
  type OperatorSnapshot,
  type OneInputStreamOperator,
  type TwoInputStreamOperator,
  type StreamOperator,
  type StreamOperatorParameters,
} from './runtime/stream-operator.js';
export type { Output } from './runtime/output.js';
export { AbstractStreamOperator } from './runtime/operators/abstract-stream-operator.js';
export { AbstractUdfStreamOperator } from './runtime/operators/abstract-udf-stream-operator.js';
export { KeyedProcessOperator } from './runtime/operators/keyed-process-operator.js';
export { ProcessOperator } from './runtime/operators/process-operator.js';
export { CoBroadcastOperator } from './runtime/operators/co-broadcast-operator.js';
export { StreamGroupedReduceOperator } from './runtime/operators/stream-grouped-reduce-operator.js';
export { StreamPartitioner } from './runtime/partitioners/stream-partitioner.js';
export { ChainingStrategy } from './graph/transformation.js';
export { OperatorTestHarness, type HarnessEvent, type HarnessOptions } from './testing/operator-test-harness.js';
