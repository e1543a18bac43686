import { StreamPartitioner } from './stream-partitioner.js';

/** Uniformly random channel, from a per-writer xorshift generator (reproducible runs). */
export class ShufflePartitioner<T> extends StreamPartitioner<T> {
  readonly pointwise = false;
  readonly name = 'SHUFFLE';
  private state = 0x9e3779b9;

  override setup(numberOfChannels: number, subtaskIndex: number): void {
    super.setup(numberOfChannels, subtaskIndex);
    this.state = (0x9e3779b9 ^ Math.imul(subtaskIndex + 1, 0x85ebca6b)) | 1;
  }

  selectChannel(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x;
    return (x >>> 0) % this.numberOfChannels;
  }

  copy(): ShufflePartitioner<T> {
    return new ShufflePartitioner<T>();
  }
}
