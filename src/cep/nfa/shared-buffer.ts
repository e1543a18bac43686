import type { BufferedEvent, BufferNode } from './shared-buffer-entry.js';

/**
 * The plain-data form of the reachable part of a {@link SharedBuffer} (for checkpoints):
 * structured-cloneable when the events are. Nodes are listed so that a node's `previous` comes
 * before it; `roots[i]` is the node id of the i-th root given to {@link SharedBuffer.toData}.
 *
 * @example
 * ```ts
 * const data: SharedBufferData<Event> = buffer.toData([run.previous]);
 * ```
 */
export interface SharedBufferData<T> {
  readonly nextEventId: number;
  readonly events: Array<[id: number, event: T, timestamp: number]>;
  readonly nodes: Array<[id: number, stageName: string, eventId: number, previous: number | null]>;
  readonly roots: Array<number | null>;
}

/**
 * The per-key store of the events of all partial matches (Flink's `SharedBuffer`): each event is
 * stored once; each taken event is a {@link BufferNode} pointing to the node taken before it in the
 * same partial match, so partial matches that branched share their prefix. Memory grows with the
 * buffered events and branch points, not with the number of matches.
 *
 * Flink keys its nodes by (stage, event) and lets runs share them, so a node has several outgoing
 * edges and Dewey-number versions pick each run's path. Here a node is created per take and has a
 * single predecessor: a run's path is explicit, needs no version, and is read by pointer chasing
 * (no hashing on the hot path). Event payloads are still stored once, however many runs take them.
 *
 * Reference counting: a partial match holds one reference on its last node ({@link lockNode} /
 * {@link releaseNode}); a node holds one on its previous node and one on its event. When nothing
 * refers to a node it is released, cascading to its previous node and its event, so once no
 * partial match remains the buffer is empty ({@link isEmpty}) and the objects are garbage.
 *
 * @example
 * ```ts
 * const buffer = new SharedBuffer<Event>();
 * const a = buffer.put('a', buffer.createEvent(event, 1000), null);
 * buffer.lockNode(a);
 * buffer.extractMatch(a); // Map { 'a' => [event] }
 * buffer.releaseNode(a);
 * buffer.isEmpty();       // true
 * ```
 */
export class SharedBuffer<T> {
  private nextEventId = 0;
  private events = 0;
  private nodes = 0;

  /**
   * Wraps an event for storage with the next arrival id; it counts as stored from its first
   * {@link put}, so an event no partial match takes costs nothing.
   *
   * @example
   * ```ts
   * const stored = buffer.createEvent(e, ts);
   * ```
   */
  createEvent(event: T, timestamp: number): BufferedEvent<T> {
    return { id: this.nextEventId++, event, timestamp, refs: 0 };
  }

  /**
   * Adds a node: `stageName` took `event` after the node `previous`. The node starts with no
   * reference: the partial match created with it locks it.
   *
   * @example
   * ```ts
   * const b = buffer.put('b', stored, aNode);
   * ```
   */
  put(stageName: string, event: BufferedEvent<T>, previous: BufferNode<T> | null): BufferNode<T> {
    if (previous !== null) previous.refs++;
    if (event.refs++ === 0) this.events++;
    this.nodes++;
    return { stageName, event, previous, refs: 0 };
  }

  /** Adds a reference to a node. @example `buffer.lockNode(n)` */
  lockNode(node: BufferNode<T>): void {
    node.refs++;
  }

  /**
   * Removes a reference; a node without references is released, and so are, in turn, its previous
   * node and its event when nothing else refers to them.
   *
   * @example
   * ```ts
   * buffer.releaseNode(n);
   * ```
   */
  releaseNode(node: BufferNode<T>): void {
    let n: BufferNode<T> | null = node;
    while (n !== null) {
      if (--n.refs > 0) return;
      this.nodes--;
      if (--n.event.refs === 0) this.events--;
      n = n.previous;
    }
  }

  /**
   * The event ids of the partial match ending at `node`, by stage, in the order the stages were
   * first matched, each oldest first.
   *
   * @example
   * ```ts
   * buffer.extractEventIds(n); // Map { 'a' => [0], 'b' => [1, 2] }
   * ```
   */
  extractEventIds(node: BufferNode<T> | null): Map<string, number[]> {
    const result = new Map<string, number[]>();
    const length = pathOf(node);
    const path = scratchPath as BufferNode<T>[];
    for (let i = length - 1; i >= 0; i--) {
      const n = path[i]!;
      const list = result.get(n.stageName);
      if (list === undefined) result.set(n.stageName, [n.event.id]);
      else list.push(n.event.id);
    }
    return result;
  }

  /**
   * The event ids of the partial match ending at `node`, oldest first, whatever their stage.
   *
   * @example
   * ```ts
   * buffer.eventIdsOnPath(n); // [0, 1, 2]
   * ```
   */
  eventIdsOnPath(node: BufferNode<T> | null): number[] {
    const ids: number[] = [];
    for (let n = node; n !== null; n = n.previous) ids.push(n.event.id);
    return ids.reverse();
  }

  /**
   * The events of the partial match ending at `node` by stage, in the order the stages were first
   * matched, each oldest first (what a pattern process function receives).
   *
   * @example
   * ```ts
   * buffer.extractMatch(n).get('b'); // [b1, b2]
   * ```
   */
  extractMatch(node: BufferNode<T> | null): Map<string, T[]> {
    const result = new Map<string, T[]>();
    const length = pathOf(node);
    const path = scratchPath as BufferNode<T>[];
    for (let i = length - 1; i >= 0; i--) {
      const n = path[i]!;
      const list = result.get(n.stageName);
      if (list === undefined) result.set(n.stageName, [n.event.event]);
      else list.push(n.event.event);
    }
    return result;
  }

  /**
   * The events taken by `stageName` in the partial match ending at `node`, oldest first (what an
   * iterative condition reads).
   *
   * @example
   * ```ts
   * buffer.eventsForStage(n, 'b');
   * ```
   */
  eventsForStage(node: BufferNode<T> | null, stageName: string): T[] {
    const result: T[] = [];
    for (let n = node; n !== null; n = n.previous) if (n.stageName === stageName) result.push(n.event.event);
    return result.reverse();
  }

  /** Whether no event and no node is stored. @example `buffer.isEmpty()` */
  isEmpty(): boolean {
    return this.events === 0 && this.nodes === 0;
  }

  /** The number of stored events. @example `buffer.eventCount()` */
  eventCount(): number {
    return this.events;
  }

  /** The number of stored nodes. @example `buffer.nodeCount()` */
  nodeCount(): number {
    return this.nodes;
  }

  /**
   * Plain data for checkpoints: the nodes reachable from `roots` (the last nodes of the live partial
   * matches) and their events, each once.
   *
   * @example
   * ```ts
   * const data = buffer.toData(state.partialMatches.map((cs) => cs.previous));
   * ```
   */
  toData(roots: ReadonlyArray<BufferNode<T> | null>): SharedBufferData<T> {
    const nodeIds = new Map<BufferNode<T>, number>();
    const eventIds = new Set<number>();
    const events: SharedBufferData<T>['events'] = [];
    const nodes: SharedBufferData<T>['nodes'] = [];
    const chain: BufferNode<T>[] = [];
    const rootIds = roots.map((root) => {
      // Number a chain's unseen nodes oldest first, so that a node's previous precedes it.
      for (let n = root; n !== null && !nodeIds.has(n); n = n.previous) chain.push(n);
      while (chain.length > 0) {
        const n = chain.pop()!;
        const id = nodes.length;
        nodeIds.set(n, id);
        const e = n.event;
        if (!eventIds.has(e.id)) {
          eventIds.add(e.id);
          events.push([e.id, e.event, e.timestamp]);
        }
        nodes.push([id, n.stageName, e.id, n.previous === null ? null : nodeIds.get(n.previous)!]);
      }
      return root === null ? null : nodeIds.get(root)!;
    });
    return { nextEventId: this.nextEventId, events, nodes, roots: rootIds };
  }

  /**
   * Rebuilds a buffer from {@link toData}, with the reference counts of its nodes (one per later
   * node, none yet for the roots: the restored partial matches lock them) and events.
   *
   * @example
   * ```ts
   * const { buffer, roots } = SharedBuffer.fromData(data);
   * ```
   */
  static fromData<T>(data: SharedBufferData<T>): {
    buffer: SharedBuffer<T>;
    roots: Array<BufferNode<T> | null>;
  } {
    const buffer = new SharedBuffer<T>();
    buffer.nextEventId = data.nextEventId;
    const events = new Map<number, BufferedEvent<T>>();
    for (const [id, event, timestamp] of data.events) events.set(id, { id, event, timestamp, refs: 0 });
    const nodes = new Map<number, BufferNode<T>>();
    for (const [id, stageName, eventId, previousId] of data.nodes) {
      const event = events.get(eventId);
      const previous = previousId === null ? null : nodes.get(previousId);
      if (event === undefined || previous === undefined) {
        throw new Error(`Corrupt shared buffer data: node ${id} refers to a missing event or node`);
      }
      nodes.set(id, buffer.put(stageName, event, previous));
    }
    const roots = data.roots.map((id) => {
      if (id === null) return null;
      const node = nodes.get(id);
      if (node === undefined) throw new Error(`Corrupt shared buffer data: missing root node ${id}`);
      return node;
    });
    return { buffer, roots };
  }
}

/** Scratch for {@link pathOf}: matches are extracted one at a time. */
const scratchPath: BufferNode<unknown>[] = [];

/**
 * The nodes from `node` back to the first one (newest first), in a shared scratch array valid until
 * the next call; its length is returned.
 */
function pathOf<T>(node: BufferNode<T> | null): number {
  const path = scratchPath as BufferNode<T>[];
  let length = 0;
  for (let n = node; n !== null; n = n.previous) path[length++] = n;
  return length;
}
