/** What travels on a channel besides records. */
export enum ElementKind {
  RECORD = 0,
  WATERMARK = 1,
  WATERMARK_STATUS = 2,
  END_OF_PARTITION = 3,
  /** A checkpoint barrier; the value is a `CheckpointBarrier`. */
  BARRIER = 4,
}

/** Notified when a channel changes in a way that may make a task runnable again. */
export interface ChannelListener {
  /** Called on the consumer when an element arrives. */
  onChannelData(): void;
  /** Called on the producer when a full channel drained below its low-water mark. */
  onChannelWritable(): void;
  /** Called on the producer when the channel reached its capacity. */
  onChannelFull(): void;
}

/**
 * A bounded FIFO between two tasks of the same process: a ring buffer of (kind, value, timestamp)
 * in parallel arrays so that passing a record allocates nothing. It is "full" at `capacity`; the
 * producer then stops taking input (backpressure) until the consumer drains it to half.
 */
export class Channel {
  private kinds: Uint8Array;
  private values: unknown[];
  private timestamps: Float64Array;
  private head = 0;
  private tail = 0;
  private count = 0;
  private mask: number;
  private full = false;
  private readonly lowWater: number;
  producer: ChannelListener | undefined;
  consumer: ChannelListener | undefined;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`channel capacity must be >= 1, got ${capacity}`);
    let size = 16;
    while (size < capacity * 2) size <<= 1;
    this.kinds = new Uint8Array(size);
    this.values = new Array(size);
    this.timestamps = new Float64Array(size);
    this.mask = size - 1;
    this.lowWater = Math.floor(capacity / 2);
  }

  get length(): number {
    return this.count;
  }

  isFull(): boolean {
    return this.full;
  }

  /** Appends; may exceed `capacity` (a flatMap's burst), never loses an element. */
  push(kind: ElementKind, value: unknown, timestamp: number): void {
    if (this.count === this.mask + 1) this.grow();
    const i = this.tail;
    this.kinds[i] = kind;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
    this.tail = (i + 1) & this.mask;
    this.count++;
    if (!this.full && this.count >= this.capacity) {
      this.full = true;
      this.producer?.onChannelFull();
    }
    if (this.count === 1) this.consumer?.onChannelData();
  }

  peekKind(): ElementKind {
    return this.kinds[this.head] as ElementKind;
  }

  peekValue(): unknown {
    return this.values[this.head];
  }

  peekTimestamp(): number {
    return this.timestamps[this.head]!;
  }

  /** Drops the head element (read it with the `peek*` methods first). */
  pop(): void {
    const i = this.head;
    this.values[i] = undefined;
    this.head = (i + 1) & this.mask;
    this.count--;
    if (this.full && this.count <= this.lowWater) {
      this.full = false;
      this.producer?.onChannelWritable();
    }
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    const kinds = new Uint8Array(size);
    const values = new Array(size);
    const timestamps = new Float64Array(size);
    for (let n = 0, i = this.head; n < this.count; n++, i = (i + 1) & this.mask) {
      kinds[n] = this.kinds[i]!;
      values[n] = this.values[i];
      timestamps[n] = this.timestamps[i]!;
    }
    this.kinds = kinds;
    this.values = values;
    this.timestamps = timestamps;
    this.head = 0;
    this.tail = this.count;
    this.mask = size - 1;
  }
}
