import type { KeySelector } from '../api/functions.js';
import type { OutputTag } from '../api/output-tag.js';
import type { Source } from '../connectors/source.js';
import { ForwardPartitioner } from '../runtime/partitioners/forward-partitioner.js';
import { KeyGroupStreamPartitioner } from '../runtime/partitioners/key-group-stream-partitioner.js';
import { RebalancePartitioner } from '../runtime/partitioners/rebalance-partitioner.js';
import type { StreamPartitioner } from '../runtime/partitioners/stream-partitioner.js';
import type { WatermarkStrategy } from '../time/watermark-strategy.js';
import {
  type ChainingStrategy,
  OneInputTransformation,
  type OperatorFactory,
  PartitionTransformation,
  SideOutputTransformation,
  SourceTransformation,
  type Transformation,
  TwoInputTransformation,
  UnionTransformation,
} from './transformation.js';

/** A physical operator of the plan, with its resolved parallelism. */
export interface StreamNode {
  readonly id: number;
  readonly name: string;
  readonly uid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly chainingStrategy: ChainingStrategy;
  readonly kind: 'source' | 'one-input' | 'two-input';
  readonly source?: Source<any, any, any>;
  readonly watermarkStrategy?: WatermarkStrategy<any>;
  readonly operatorFactory?: OperatorFactory<any>;
  readonly keySelectors: ReadonlyArray<KeySelector<any, unknown> | undefined>;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

/** A connection between two nodes. `typeNumber` is the target input (1 or 2). */
export interface StreamEdge {
  readonly source: StreamNode;
  readonly target: StreamNode;
  readonly partitioner: StreamPartitioner<any>;
  readonly typeNumber: 1 | 2;
  readonly outputTag: OutputTag<any> | undefined;
}

/** Settings the graph needs from the environment. */
export interface StreamGraphConfig {
  readonly parallelism: number;
  readonly maxParallelism: number;
}

interface ResolvedInput {
  node: StreamNode;
  partitioner: StreamPartitioner<any> | undefined;
  tag: OutputTag<any> | undefined;
}

/**
 * The plan with virtual transformations resolved into edges. Every operator transformation the
 * API created is included, not only those that reach a sink (as in Flink).
 */
export class StreamGraph {
  readonly nodes: StreamNode[] = [];

  private constructor() {}

  static build(transformations: readonly Transformation<any>[], config: StreamGraphConfig): StreamGraph {
    const g = new StreamGraph();
    const built = new Map<number, ResolvedInput[]>();
    const nodeOf = new Map<number, StreamNode>();
    const uids = new Set<string>();

    const newNode = (
      t: Transformation<any>,
      kind: StreamNode['kind'],
      extra: Partial<StreamNode>,
      keySelectors: StreamNode['keySelectors'],
    ): StreamNode => {
      // Generated uids depend only on the position in the graph, so the same program built in
      // another environment (or process) finds its checkpointed state again.
      const uid = t.uid ?? `${t.name}#${g.nodes.length + 1}`;
      if (uids.has(uid)) throw new Error(`duplicate operator uid '${uid}'`);
      uids.add(uid);
      const parallelism = t.parallelism ?? config.parallelism;
      const maxParallelism = t.maxParallelism ?? config.maxParallelism;
      if (!(parallelism >= 1)) throw new Error(`operator '${t.name}' has invalid parallelism ${parallelism}`);
      if (parallelism > maxParallelism) {
        throw new Error(
          `operator '${t.name}': parallelism ${parallelism} exceeds maxParallelism ${maxParallelism}`,
        );
      }
      const node: StreamNode = {
        id: t.id,
        name: t.name,
        uid,
        parallelism,
        maxParallelism,
        chainingStrategy: t.chainingStrategy,
        kind,
        keySelectors,
        inEdges: [],
        outEdges: [],
        ...extra,
      };
      g.nodes.push(node);
      nodeOf.set(t.id, node);
      return node;
    };

    const connect = (inputs: ResolvedInput[], target: StreamNode, typeNumber: 1 | 2): void => {
      for (const input of inputs) {
        let partitioner = input.partitioner?.copy();
        if (!partitioner) {
          partitioner =
            input.node.parallelism === target.parallelism
              ? new ForwardPartitioner<any>()
              : new RebalancePartitioner<any>();
        }
        if (partitioner instanceof ForwardPartitioner && input.node.parallelism !== target.parallelism) {
          throw new Error(
            `forward partitioning does not allow a change of parallelism: '${input.node.name}' (${input.node.parallelism}) -> '${target.name}' (${target.parallelism}); use rebalance() or keyBy()`,
          );
        }
        if (partitioner instanceof KeyGroupStreamPartitioner)
          partitioner.maxParallelism = target.maxParallelism;
        const edge: StreamEdge = {
          source: input.node,
          target,
          partitioner,
          typeNumber,
          outputTag: input.tag,
        };
        input.node.outEdges.push(edge);
        target.inEdges.push(edge);
      }
    };

    const resolve = (t: Transformation<any>): ResolvedInput[] => {
      const done = built.get(t.id);
      if (done) return done;
      let result: ResolvedInput[];
      if (t instanceof SourceTransformation) {
        const node = newNode(t, 'source', { source: t.source, watermarkStrategy: t.watermarkStrategy }, []);
        result = [{ node, partitioner: undefined, tag: undefined }];
      } else if (t instanceof OneInputTransformation) {
        const inputs = resolve(t.input);
        const node = newNode(t, 'one-input', { operatorFactory: t.operatorFactory }, [t.stateKeySelector]);
        connect(inputs, node, 1);
        result = [{ node, partitioner: undefined, tag: undefined }];
      } else if (t instanceof TwoInputTransformation) {
        const in1 = resolve(t.input1);
        const in2 = resolve(t.input2);
        const node = newNode(t, 'two-input', { operatorFactory: t.operatorFactory }, [
          t.stateKeySelector1,
          t.stateKeySelector2,
        ]);
        connect(in1, node, 1);
        connect(in2, node, 2);
        result = [{ node, partitioner: undefined, tag: undefined }];
      } else if (t instanceof PartitionTransformation) {
        result = resolve(t.input).map((r) => ({ ...r, partitioner: t.partitioner }));
      } else if (t instanceof UnionTransformation) {
        result = t.inputs.flatMap((i) => resolve(i));
      } else if (t instanceof SideOutputTransformation) {
        result = resolve(t.input).map((r) => ({ ...r, tag: t.tag }));
      } else {
        throw new Error(`unknown transformation ${t.constructor.name}`);
      }
      built.set(t.id, result);
      return result;
    };

    for (const t of transformations) resolve(t);
    if (g.nodes.length === 0)
      throw new Error('no operators defined in the streaming topology; cannot execute');
    return g;
  }

  /** Whether every source of the plan is bounded (used by AUTOMATIC mode). */
  isBounded(): boolean {
    return this.nodes.every((n) => n.kind !== 'source' || n.source!.getBoundedness() === 'BOUNDED');
  }
}
