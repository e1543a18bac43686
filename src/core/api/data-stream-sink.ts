import { ChainingStrategy, type Transformation } from '../graph/transformation.js';

/** The end of a stream written to a sink; configures the sink operator. */
export class DataStreamSink<T> {
  /** @internal */
  constructor(private readonly transformation: Transformation<never>) {}

  name(name: string): this {
    this.transformation.name = name;
    return this;
  }

  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    this.transformation.setParallelism(parallelism);
    return this;
  }

  disableChaining(): this {
    this.transformation.chainingStrategy = ChainingStrategy.NEVER;
    return this;
  }

  /** @internal */
  getTransformation(): Transformation<never> {
    return this.transformation;
  }

  declare readonly __type?: T;
}
