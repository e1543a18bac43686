import { StreamPartitioner } from './stream-partitioner.js';

/** Round robin over all downstream instances; each writer starts at its own index. */
export class RebalancePartitioner<T> extends StreamPartitioner<T> {
  readonly pointwise: boolean = false;
  readonly name: string = 'REBALANCE';
  private next = 0;

  override setup(numberOfChannels: number, subtaskIndex: number): void {
    super.setup(numberOfChannels, subtaskIndex);
    // Deterministic but spread start, so parallel writers do not all hit channel 0 first.
    this.next = subtaskIndex % numberOfChannels;
  }

  selectChannel(): number {
    const c = this.next;
    this.next = c + 1 === this.numberOfChannels ? 0 : c + 1;
    return c;
  }

  copy(): RebalancePartitioner<T> {
    return new RebalancePartitioner<T>();
  }
}
