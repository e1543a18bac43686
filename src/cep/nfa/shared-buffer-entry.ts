/**
 * An event stored once in a {@link SharedBuffer}, with the number of nodes that reference it.
 * `id` orders events by arrival (Flink's `EventId`); skip strategies compare these ids.
 *
 * @example
 * ```ts
 * const e: BufferedEvent<Event> = { id: 0, event, timestamp: 1000, refs: 1 };
 * ```
 */
export interface BufferedEvent<T> {
  readonly id: number;
  readonly event: T;
  readonly timestamp: number;
  refs: number;
}

/**
 * A node of the shared buffer: an event taken by a stage, pointing to the node of the previously
 * taken event of the same partial match (`null` for the first). Partial matches that branched share
 * their common prefix of nodes, and every node of every branch shares the one stored event.
 * `refs` counts the partial matches and the later nodes referring to it; at 0 the node is released,
 * and so is its event when no other node refers to it.
 *
 * @example
 * ```ts
 * const n: BufferNode<Event> = { stageName: 'b', event: stored, previous: aNode, refs: 1 };
 * ```
 */
export interface BufferNode<T> {
  readonly stageName: string;
  readonly event: BufferedEvent<T>;
  readonly previous: BufferNode<T> | null;
  refs: number;
}
