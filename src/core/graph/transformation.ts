import type { KeySelector } from '../api/functions.js';
import type { OutputTag } from '../api/output-tag.js';
import type { Source } from '../connectors/source.js';
import type { StreamPartitioner } from '../runtime/partitioners/stream-partitioner.js';
import type { StreamOperator } from '../runtime/stream-operator.js';
import type { WatermarkStrategy } from '../time/watermark-strategy.js';

let nextTransformationId = 1;

/** Creates a fresh operator instance for each parallel subtask (and each restart). */
export type OperatorFactory<OUT> = () => StreamOperator<OUT>;

/** How an operator may be chained with its neighbours (Flink's `ChainingStrategy`). */
export enum ChainingStrategy {
  /** Chained with its input and its outputs when the edges allow it. */
  ALWAYS = 'ALWAYS',
  /** Starts a new chain; its outputs may still chain to it (`startNewChain`). */
  HEAD = 'HEAD',
  /** Never chained (`disableChaining`). */
  NEVER = 'NEVER',
}

/**
 * A node of the logical plan that the DataStream API builds; `execute()` turns the plan into
 * chained tasks. Virtual transformations (partition, union, side output) only shape edges.
 */
export abstract class Transformation<T> {
  readonly id = nextTransformationId++;
  uid: string | undefined;
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  chainingStrategy = ChainingStrategy.ALWAYS;
  declare readonly __type?: T;

  constructor(public name: string) {}

  abstract getInputs(): Transformation<any>[];

  setParallelism(parallelism: number): void {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new Error(`parallelism of '${this.name}' must be a positive integer, got ${parallelism}`);
    }
    this.parallelism = parallelism;
  }

  setMaxParallelism(maxParallelism: number): void {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new Error(
        `maxParallelism of '${this.name}' must be an integer in [1, 32768], got ${maxParallelism}`,
      );
    }
    this.maxParallelism = maxParallelism;
  }
}

/** Reads a {@link Source}. */
export class SourceTransformation<T> extends Transformation<T> {
  constructor(
    name: string,
    readonly source: Source<T, any, any>,
    readonly watermarkStrategy: WatermarkStrategy<T>,
  ) {
    super(name);
  }

  getInputs(): Transformation<any>[] {
    return [];
  }
}

/** An operator with one input; `stateKeySelector` is set when the input is keyed. */
export class OneInputTransformation<IN, OUT> extends Transformation<OUT> {
  constructor(
    name: string,
    readonly input: Transformation<IN>,
    readonly operatorFactory: OperatorFactory<OUT>,
    readonly stateKeySelector?: KeySelector<IN, unknown>,
  ) {
    super(name);
  }

  getInputs(): Transformation<any>[] {
    return [this.input];
  }
}

/** An operator with two inputs; either side may be keyed. */
export class TwoInputTransformation<IN1, IN2, OUT> extends Transformation<OUT> {
  constructor(
    name: string,
    readonly input1: Transformation<IN1>,
    readonly input2: Transformation<IN2>,
    readonly operatorFactory: OperatorFactory<OUT>,
    readonly stateKeySelector1?: KeySelector<IN1, unknown>,
    readonly stateKeySelector2?: KeySelector<IN2, unknown>,
  ) {
    super(name);
  }

  getInputs(): Transformation<any>[] {
    return [this.input1, this.input2];
  }
}

/** Virtual: routes its input through a partitioner. */
export class PartitionTransformation<T> extends Transformation<T> {
  constructor(
    readonly input: Transformation<T>,
    readonly partitioner: StreamPartitioner<T>,
  ) {
    super(`Partition(${partitioner.name})`);
  }

  getInputs(): Transformation<any>[] {
    return [this.input];
  }
}

/** Virtual: several inputs seen as one stream. */
export class UnionTransformation<T> extends Transformation<T> {
  constructor(readonly inputs: Transformation<T>[]) {
    super('Union');
  }

  getInputs(): Transformation<any>[] {
    return this.inputs;
  }
}

/** Virtual: the records an operator emitted to one side output. */
export class SideOutputTransformation<T> extends Transformation<T> {
  constructor(
    readonly input: Transformation<any>,
    readonly tag: OutputTag<T>,
  ) {
    super(`SideOutput(${tag.id})`);
  }

  getInputs(): Transformation<any>[] {
    return [this.input];
  }
}
