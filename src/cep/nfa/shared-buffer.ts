import { DeweyNumber } from './dewey-number.js';
import type { BufferedEvent, BufferNode } from './shared-buffer-entry.js';

/**
 * The plain-data form of a {@link SharedBuffer} (for checkpoints): structured-cloneable.
 *
 * @example
 * ```ts
 * const data: SharedBufferData<Event> = buffer.toData();
 * ```
 */
export interface SharedBufferData<T> {
  readonly nextEventId: number;
  readonly nextNodeId: number;
  readonly events: Array<[id: number, event: T, timestamp: number, refs: number]>;
  readonly nodes: Array<
    [id: number, stageName: string, eventId: number, previous: number | null, version: number[], refs: number]
  >;
}

/**
 * The per-key store of the events of all partial matches (Flink's `SharedBuffer`): each event is
 * stored once with a reference count; each taken event is a {@link BufferNode} pointing to the node
 * taken before it in the same partial match, so partial matches that branched share their prefix.
 * Memory grows with the buffered events and branch points, not with the number of matches.
 *
 * Reference counting: a partial match (computation state) holds one reference on its last node
 * ({@link lockNode}/{@link releaseNode}); a node holds one on its previous node and one on its event.
 * When nothing refers to a node it is removed, cascading to its previous node and its event, so when
 * no partial match remains the buffer is empty ({@link isEmpty}).
 *
 * @example
 * ```ts
 * const buffer = new SharedBuffer<Event>();
 * const e = buffer.registerEvent(event, 1000);
 * const n = buffer.put('a', e, null, DeweyNumber.of(1));
 * buffer.lockNode(n);
 * buffer.releaseEvent(e);
 * buffer.extractMatch(n); // Map { 'a' => [event] }
 * buffer.releaseNode(n);
 * buffer.isEmpty();       // true
 * ```
 */
export class SharedBuffer<T> {
  private readonly events = new Map<number, BufferedEvent<T>>();
  private readonly nodes = new Map<number, BufferNode>();
  private nextEventId = 0;
  private nextNodeId = 0;

  /**
   * Stores an event with one reference, held by the caller while it processes the event (so that a
   * partial match discarded meanwhile cannot drop it); returns its id. Release it with
   * {@link releaseEvent}.
   *
   * @example
   * ```ts
   * const id = buffer.registerEvent(e, ts);
   * ```
   */
  registerEvent(event: T, timestamp: number): number {
    const id = this.nextEventId++;
    this.events.set(id, { id, event, timestamp, refs: 1 });
    return id;
  }

  /**
   * Reserves the id of the next event without storing it, so an event no partial match takes costs
   * nothing; store it with {@link storeEvent} before its first {@link put}.
   *
   * @example
   * ```ts
   * const id = buffer.reserveEventId();
   * ```
   */
  reserveEventId(): number {
    return this.nextEventId++;
  }

  /**
   * Stores an event under a reserved id with one reference held by the caller (as
   * {@link registerEvent}).
   *
   * @example
   * ```ts
   * buffer.storeEvent(id, e, ts);
   * ```
   */
  storeEvent(id: number, event: T, timestamp: number): void {
    this.events.set(id, { id, event, timestamp, refs: 1 });
  }

  /** Drops a reference to an event, and the event with the last one. @example `buffer.releaseEvent(id)` */
  releaseEvent(eventId: number): void {
    const e = this.events.get(eventId);
    if (e !== undefined && --e.refs === 0) this.events.delete(eventId);
  }

  /**
   * Adds a node: `stageName` took `eventId` after the node `previous`, in the run `version`. The node
   * starts with no reference: the partial match created with it locks it.
   *
   * @example
   * ```ts
   * const n = buffer.put('b', eventId, previousNode, version);
   * ```
   */
  put(stageName: string, eventId: number, previous: number | null, version: DeweyNumber): number {
    const event = this.events.get(eventId);
    if (event === undefined) throw new Error(`Unknown event id ${eventId} in the shared buffer`);
    if (previous !== null) this.lockNode(previous);
    event.refs++;
    const id = this.nextNodeId++;
    this.nodes.set(id, { id, stageName, eventId, previous, version, refs: 0 });
    return id;
  }

  /** Adds a reference to a node. @example `buffer.lockNode(n)` */
  lockNode(nodeId: number): void {
    this.node(nodeId).refs++;
  }

  /**
   * Removes a reference; a node without references is removed, and so are, in turn, its previous
   * node and its event when nothing else refers to them.
   *
   * @example
   * ```ts
   * buffer.releaseNode(n);
   * ```
   */
  releaseNode(nodeId: number): void {
    let id: number | null = nodeId;
    while (id !== null) {
      const node = this.node(id);
      node.refs--;
      if (node.refs > 0) return;
      this.nodes.delete(id);
      this.releaseEvent(node.eventId);
      id = node.previous;
    }
  }

  /**
   * The event ids of the partial match ending at `nodeId`, by stage, in the order the stages were
   * first matched, each oldest first.
   *
   * @example
   * ```ts
   * buffer.extractEventIds(n); // Map { 'a' => [0], 'b' => [1, 2] }
   * ```
   */
  extractEventIds(nodeId: number | null): Map<string, number[]> {
    const path: BufferNode[] = [];
    for (let id = nodeId; id !== null; ) {
      const node = this.node(id);
      path.push(node);
      id = node.previous;
    }
    const result = new Map<string, number[]>();
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i]!;
      const list = result.get(node.stageName);
      if (list === undefined) result.set(node.stageName, [node.eventId]);
      else list.push(node.eventId);
    }
    return result;
  }

  /**
   * The event ids of the partial match ending at `nodeId`, oldest first, whatever their stage.
   *
   * @example
   * ```ts
   * buffer.eventIdsOnPath(n); // [0, 1, 2]
   * ```
   */
  eventIdsOnPath(nodeId: number | null): number[] {
    const ids: number[] = [];
    for (let id = nodeId; id !== null; ) {
      const node = this.node(id);
      ids.push(node.eventId);
      id = node.previous;
    }
    return ids.reverse();
  }

  /** The events of {@link extractEventIds}. @example `buffer.extractMatch(n).get('b')` */
  extractMatch(nodeId: number | null): Map<string, T[]> {
    return this.materialize(this.extractEventIds(nodeId));
  }

  /** Event ids to events. @example `buffer.materialize(buffer.extractEventIds(n))` */
  materialize(ids: Map<string, number[]>): Map<string, T[]> {
    const result = new Map<string, T[]>();
    for (const [stage, list] of ids)
      result.set(
        stage,
        list.map((id) => this.events.get(id)!.event),
      );
    return result;
  }

  /**
   * The events taken by `stageName` in the partial match ending at `nodeId`, oldest first (what an
   * iterative condition reads).
   *
   * @example
   * ```ts
   * buffer.eventsForStage(n, 'b');
   * ```
   */
  eventsForStage(nodeId: number | null, stageName: string): T[] {
    const result: T[] = [];
    for (let id = nodeId; id !== null; ) {
      const node = this.node(id);
      if (node.stageName === stageName) result.push(this.events.get(node.eventId)!.event);
      id = node.previous;
    }
    return result.reverse();
  }

  /** Whether no event and no node is stored. @example `buffer.isEmpty()` */
  isEmpty(): boolean {
    return this.events.size === 0 && this.nodes.size === 0;
  }

  /** The number of stored events. @example `buffer.eventCount()` */
  eventCount(): number {
    return this.events.size;
  }

  /** The number of stored nodes. @example `buffer.nodeCount()` */
  nodeCount(): number {
    return this.nodes.size;
  }

  /** Plain data for checkpoints. @example `SharedBuffer.fromData(buffer.toData())` */
  toData(): SharedBufferData<T> {
    return {
      nextEventId: this.nextEventId,
      nextNodeId: this.nextNodeId,
      events: [...this.events.values()].map((e) => [e.id, e.event, e.timestamp, e.refs]),
      nodes: [...this.nodes.values()].map((n) => [
        n.id,
        n.stageName,
        n.eventId,
        n.previous,
        n.version.toArray(),
        n.refs,
      ]),
    };
  }

  /** Rebuilds a buffer from {@link toData}. @example `SharedBuffer.fromData(data)` */
  static fromData<T>(data: SharedBufferData<T>): SharedBuffer<T> {
    const buffer = new SharedBuffer<T>();
    buffer.nextEventId = data.nextEventId;
    buffer.nextNodeId = data.nextNodeId;
    for (const [id, event, timestamp, refs] of data.events)
      buffer.events.set(id, { id, event, timestamp, refs });
    for (const [id, stageName, eventId, previous, version, refs] of data.nodes) {
      buffer.nodes.set(id, {
        id,
        stageName,
        eventId,
        previous,
        version: DeweyNumber.fromArray(version),
        refs,
      });
    }
    return buffer;
  }

  private node(id: number): BufferNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`Unknown node ${id} in the shared buffer`);
    return node;
  }
}
