import { RebalancePartitioner } from './rebalance-partitioner.js';

/**
 * Round robin over a local subset of the downstream instances: with 2 upstream and 4 downstream
 * instances, upstream 0 feeds 0 and 1, upstream 1 feeds 2 and 3 (and the reverse when shrinking).
 */
export class RescalePartitioner<T> extends RebalancePartitioner<T> {
  override readonly pointwise = true;
  override readonly name = 'RESCALE';

  override copy(): RescalePartitioner<T> {
    return new RescalePartitioner<T>();
  }

  /** Whether upstream instance `u` of `pu` is wired to downstream instance `d` of `pd`. */
  static connects(u: number, pu: number, d: number, pd: number): boolean {
    if (pu >= pd) return Math.floor((u * pd) / pu) === d;
    return Math.floor((d * pu) / pd) === u;
  }
}
