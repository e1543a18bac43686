import { describe, expect, it } from 'vitest';
import type { AggregateFunction } from '../../../src/core/state/state.js';
import {
  AggregatingStateDescriptor,
  ReducingStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { merging, newBackend } from './helpers.js';

const avg: AggregateFunction<number, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (v, [s, n]) => [s + v, n + 1],
  getResult: ([s, n]) => s / n,
  merge: ([s1, n1], [s2, n2]) => [s1 + s2, n1 + n2],
};

describe('HeapReducingState', () => {
  it('reduces added values per key', () => {
    const backend = newBackend<string>();
    const calls: [number, number][] = [];
    const sum = backend.getOrCreateKeyedState(
      new ReducingStateDescriptor<number>('sum', (a, b) => {
        calls.push([a, b]);
        return a + b;
      }),
    );
    backend.setCurrentKey('a');
    expect(sum.get()).toBeUndefined();
    sum.add(1);
    sum.add(2);
    backend.setCurrentKey('b');
    sum.add(10);
    backend.setCurrentKey('a');
    sum.add(3);
    expect(sum.get()).toBe(6);
    expect(calls).toEqual([
      [1, 2],
      [3, 3],
    ]);
    sum.clear();
    expect(sum.get()).toBeUndefined();
    backend.setCurrentKey('b');
    expect(sum.get()).toBe(10);
  });

  it('merges namespaces with the reduce function', () => {
    const backend = newBackend<string>();
    const sum = merging(
      backend.getOrCreateKeyedState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b)),
    );
    backend.setCurrentKey('a');
    for (const [ns, v] of [
      ['w1', 1],
      ['w2', 2],
      ['w3', 4],
    ] as const) {
      sum.setCurrentNamespace(ns);
      sum.add(v);
    }
    sum.setCurrentNamespace('w1');
    sum.mergeNamespaces('w3', ['w1', 'w2']);
    expect(sum.getCurrentNamespace()).toBe('w1');
    expect(sum.get()).toBeUndefined();
    sum.setCurrentNamespace('w3');
    expect(sum.get()).toBe(7);
    expect(backend.numEntries()).toBe(1);
  });
});

describe('HeapAggregatingState', () => {
  it('stores the accumulator and returns getResult', () => {
    const backend = newBackend<string>();
    const mean = backend.getOrCreateKeyedState(new AggregatingStateDescriptor('mean', avg));
    backend.setCurrentKey('a');
    expect(mean.get()).toBeUndefined();
    mean.add(1);
    mean.add(2);
    mean.add(6);
    expect(mean.get()).toBe(3);
    backend.setCurrentKey('b');
    expect(mean.get()).toBeUndefined();
    mean.add(5);
    expect(mean.get()).toBe(5);
    mean.clear();
    expect(mean.get()).toBeUndefined();
    expect(backend.numKeys()).toBe(1);
  });

  it('merges namespaces with the accumulator merge', () => {
    const backend = newBackend<string>();
    const mean = merging(backend.getOrCreateKeyedState(new AggregatingStateDescriptor('mean', avg)));
    backend.setCurrentKey('a');
    mean.setCurrentNamespace(1);
    mean.add(2);
    mean.setCurrentNamespace(2);
    mean.add(4);
    mean.add(6);
    mean.mergeNamespaces(3, [1, 2]);
    mean.setCurrentNamespace(3);
    expect(mean.get()).toBe(4);
    expect(backend.numEntries()).toBe(1);
  });

  it('snapshots the accumulator with the descriptor serializer', () => {
    const backend = newBackend<string>();
    const mean = backend.getOrCreateKeyedState(new AggregatingStateDescriptor('mean', avg));
    backend.setCurrentKey('a');
    mean.add(3);
    mean.add(5);
    const restored = newBackend<string>();
    restored.restore([backend.snapshot()]);
    const again = restored.getOrCreateKeyedState(new AggregatingStateDescriptor('mean', avg));
    restored.setCurrentKey('a');
    expect(again.get()).toBe(4);
    again.add(7);
    expect(again.get()).toBe(5);
  });
});
