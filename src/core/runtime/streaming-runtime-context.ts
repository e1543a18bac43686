import type { RuntimeContext, TaskInfo } from '../api/runtime-context.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { OperatorStateStore } from '../state/operator-state-backend.js';
import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';

/** The {@link RuntimeContext} handed to user functions by the built-in operators. */
export class StreamingRuntimeContext implements RuntimeContext {
  constructor(
    private readonly taskInfo: TaskInfo,
    private readonly jobName: string,
    private readonly keyedBackend: KeyedStateBackend<any> | undefined,
    private readonly operatorStateStore: OperatorStateStore,
  ) {}

  getTaskInfo(): TaskInfo {
    return this.taskInfo;
  }

  getIndexOfThisSubtask(): number {
    return this.taskInfo.indexOfThisSubtask;
  }

  getNumberOfParallelSubtasks(): number {
    return this.taskInfo.numberOfParallelSubtasks;
  }

  getMaxNumberOfParallelSubtasks(): number {
    return this.taskInfo.maxNumberOfParallelSubtasks;
  }

  getJobName(): string {
    return this.jobName;
  }

  getOperatorStateStore(): OperatorStateStore {
    return this.operatorStateStore;
  }

  getState = this.keyedState;
  getListState = this.keyedState;
  getMapState = this.keyedState;
  getReducingState = this.keyedState;
  getAggregatingState = this.keyedState;

  private keyedState<S extends State>(descriptor: StateDescriptor<S, any>): any {
    if (!this.keyedBackend) {
      throw new Error(
        `Keyed state '${descriptor.name}' can only be used on a keyed stream, i.e. after keyBy() (task ${this.taskInfo.taskName})`,
      );
    }
    return this.keyedBackend.getOrCreateKeyedState(descriptor);
  }
}
