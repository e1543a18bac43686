import { ForwardPartitioner } from '../runtime/partitioners/forward-partitioner.js';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.js';
import { ChainingStrategy } from './transformation.js';

/**
 * A chain of operators run as one task per parallel instance: records pass between them as direct
 * calls. `nodes` is in topological order, head first.
 */
export interface JobVertex {
  readonly id: number;
  readonly name: string;
  readonly head: StreamNode;
  readonly nodes: readonly StreamNode[];
  readonly parallelism: number;
  /** Edges leaving the chain (through exchanges). */
  readonly outEdges: readonly StreamEdge[];
  /** Edges entering the chain head. */
  readonly inEdges: readonly StreamEdge[];
}

/** The plan split into chains at non-forward edges (Flink's JobGraph). */
export class JobGraph {
  readonly vertices: JobVertex[] = [];
  /** The vertex each node belongs to. */
  readonly vertexOf = new Map<number, JobVertex>();

  private constructor() {}

  /** Whether an edge is a direct call inside a chain rather than an exchange. */
  static isChainable(edge: StreamEdge, chainingEnabled: boolean): boolean {
    const { source, target } = edge;
    return (
      chainingEnabled &&
      target.kind === 'one-input' &&
      target.inEdges.length === 1 &&
      edge.partitioner instanceof ForwardPartitioner &&
      source.parallelism === target.parallelism &&
      target.chainingStrategy === ChainingStrategy.ALWAYS &&
      source.chainingStrategy !== ChainingStrategy.NEVER
    );
  }

  static build(graph: StreamGraph, chainingEnabled: boolean): JobGraph {
    const jg = new JobGraph();
    const chained = (e: StreamEdge): boolean => JobGraph.isChainable(e, chainingEnabled);
    const heads = graph.nodes.filter((n) => n.inEdges.length === 0 || !n.inEdges.every(chained));
    for (const head of heads) {
      const nodes: StreamNode[] = [];
      const outEdges: StreamEdge[] = [];
      const visit = (n: StreamNode): void => {
        nodes.push(n);
        for (const e of n.outEdges) {
          if (chained(e)) visit(e.target);
          else outEdges.push(e);
        }
      };
      visit(head);
      const vertex: JobVertex = {
        id: head.id,
        name: nodes.map((n) => n.name).join(' -> '),
        head,
        nodes,
        parallelism: head.parallelism,
        outEdges,
        inEdges: head.inEdges,
      };
      jg.vertices.push(vertex);
      for (const n of nodes) jg.vertexOf.set(n.id, vertex);
    }
    return jg;
  }
}
