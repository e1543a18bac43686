import type { OperatorStateStore } from '../state/operator-state-backend.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/state-descriptor.js';

/** Where a parallel instance runs (Flink's `TaskInfo`). */
export interface TaskInfo {
  readonly taskName: string;
  readonly indexOfThisSubtask: number;
  readonly numberOfParallelSubtasks: number;
  readonly maxNumberOfParallelSubtasks: number;
  readonly attemptNumber: number;
}

/**
 * What a rich function can see of its runtime: its task and state. Keyed state accessors work on
 * keyed streams only and are scoped to the current key.
 */
export interface RuntimeContext {
  getTaskInfo(): TaskInfo;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getJobName(): string;
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
  /** Non-keyed operator state (list, union list, broadcast). */
  getOperatorStateStore(): OperatorStateStore;
}

/** Passed to `open` (Flink's `OpenContext`). */
export interface OpenContext {
  readonly taskInfo: TaskInfo;
}
