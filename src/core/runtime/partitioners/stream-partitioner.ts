/**
 * Decides which downstream channel a record goes to. Pointwise partitioners (forward, rescale)
 * connect each upstream instance to a subset of the downstream instances; the others connect
 * every upstream instance to every downstream instance.
 */
export abstract class StreamPartitioner<T> {
  protected numberOfChannels = 0;

  /** Pointwise edges only wire some pairs of instances; all-to-all edges wire every pair. */
  abstract readonly pointwise: boolean;
  /** Broadcast partitioners send every record to every channel. */
  readonly broadcast: boolean = false;
  abstract readonly name: string;

  /** Called once per writer with the number of channels this upstream instance writes to. */
  setup(numberOfChannels: number, _subtaskIndex: number): void {
    this.numberOfChannels = numberOfChannels;
  }

  abstract selectChannel(value: T): number;

  /** A fresh instance for another writer (partitioners keep per-writer state such as a cursor). */
  abstract copy(): StreamPartitioner<T>;

  toString(): string {
    return this.name;
  }
}
