/**
 * What {@link TimerHeap} orders: by `timestamp`, ties by `seq` (insertion order). The heap keeps
 * each element's position in `heapIndex` so that removal is O(log n) without a search.
 */
export interface HeapTimer {
  readonly timestamp: number;
  readonly seq: number;
  /** Position in the heap array; -1 when not in a heap. Owned by the heap. */
  heapIndex: number;
}

/** `a` fires before `b`. */
function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
}

/**
 * A binary min-heap of timers (Flink's `HeapPriorityQueue`), with removal of arbitrary elements.
 * An element may be in at most one heap at a time.
 *
 * @example
 * ```ts
 * const heap = new TimerHeap<MyTimer>();
 * heap.add(t);
 * while (heap.peek() !== undefined && heap.peek()!.timestamp <= wm) fire(heap.poll()!);
 * ```
 */
export class TimerHeap<T extends HeapTimer> {
  private readonly queue: T[] = [];

  /** Number of elements. */
  get size(): number {
    return this.queue.length;
  }

  /** Whether there are no elements. */
  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** The first element to fire, without removing it. */
  peek(): T | undefined {
    return this.queue[0];
  }

  /** Adds an element that is in no heap. */
  add(element: T): void {
    const i = this.queue.length;
    this.queue.push(element);
    element.heapIndex = i;
    this.siftUp(i);
  }

  /** Removes and returns the first element to fire. */
  poll(): T | undefined {
    const queue = this.queue;
    if (queue.length === 0) return undefined;
    const head = queue[0]!;
    this.removeAt(0);
    return head;
  }

  /** Removes `element` if it is in this heap; returns whether it was. */
  remove(element: T): boolean {
    const i = element.heapIndex;
    if (i < 0 || i >= this.queue.length || this.queue[i] !== element) return false;
    this.removeAt(i);
    return true;
  }

  /** The elements in heap order (not firing order); do not modify. */
  elements(): readonly T[] {
    return this.queue;
  }

  /** Removes every element. */
  clear(): void {
    for (const e of this.queue) e.heapIndex = -1;
    this.queue.length = 0;
  }

  private removeAt(i: number): void {
    const queue = this.queue;
    const removed = queue[i]!;
    removed.heapIndex = -1;
    const last = queue.pop()!;
    if (i === queue.length) return;
    queue[i] = last;
    last.heapIndex = i;
    // The moved element may belong above or below position i.
    if (i > 0 && before(last, queue[(i - 1) >> 1]!)) this.siftUp(i);
    else this.siftDown(i);
  }

  private siftUp(i: number): void {
    const queue = this.queue;
    const element = queue[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = queue[parentIndex]!;
      if (!before(element, parent)) break;
      queue[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    queue[i] = element;
    element.heapIndex = i;
  }

  private siftDown(i: number): void {
    const queue = this.queue;
    const n = queue.length;
    const element = queue[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(queue[right]!, queue[left]!)) child = right;
      const c = queue[child]!;
      if (!before(c, element)) break;
      queue[i] = c;
      c.heapIndex = i;
      i = child;
    }
    queue[i] = element;
    element.heapIndex = i;
  }
}
