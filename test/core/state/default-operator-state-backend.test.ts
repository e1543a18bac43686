import { describe, expect, it } from 'vitest';
import { DefaultOperatorStateBackend } from '../../../src/core/state/default-operator-state-backend.js';
import type { OperatorStateSnapshot } from '../../../src/core/state/operator-state-backend.js';
import { ListStateDescriptor, MapStateDescriptor } from '../../../src/core/state/state-descriptor.js';

const listD = () => new ListStateDescriptor<number>('offsets');
const unionD = () => new ListStateDescriptor<string>('union');
const bcD = () => new MapStateDescriptor<unknown, string>('rules');

function instance(i: number): OperatorStateSnapshot {
  const backend = new DefaultOperatorStateBackend();
  backend.getListState(listD()).addAll([i * 10, i * 10 + 1, i * 10 + 2]);
  backend.getUnionListState(unionD()).add(`u${i}`);
  const bc = backend.getBroadcastState(bcD());
  bc.put('r1', 'rule one');
  bc.put(['composite', 1], 'rule two');
  return backend.snapshot();
}

function restoreAll(snapshots: OperatorStateSnapshot[], parallelism: number) {
  return Array.from({ length: parallelism }, (_, i) => {
    const backend = new DefaultOperatorStateBackend();
    backend.restore(snapshots, i, parallelism);
    return backend;
  });
}

describe('DefaultOperatorStateBackend', () => {
  it('redistributes list state round robin over the concatenation in subtask order', () => {
    const old = [0, 1].map(instance); // elements 0,1,2,10,11,12
    const restored = restoreAll(old, 3);
    expect(restored.map((b) => [...b.getListState(listD()).get()])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    const merged = restoreAll(
      restored.map((b) => b.snapshot()),
      1,
    );
    expect([...merged[0]!.getListState(listD()).get()]).toEqual([0, 10, 1, 11, 2, 12]);
  });

  it('gives every instance the whole union list', () => {
    const restored = restoreAll([0, 1, 2].map(instance), 2);
    for (const b of restored) expect([...b.getUnionListState(unionD()).get()]).toEqual(['u0', 'u1', 'u2']);
  });

  it('gives every instance a copy of the broadcast state, composite keys included', () => {
    const restored = restoreAll([0, 1].map(instance), 3);
    for (const b of restored) {
      const bc = b.getBroadcastState(bcD());
      expect(bc.size()).toBe(2);
      expect(bc.get(['composite', 1])).toBe('rule two');
      expect([...bc.immutableEntries()]).toEqual([
        ['r1', 'rule one'],
        [['composite', 1], 'rule two'],
      ]);
    }
    // Instances are independent copies.
    restored[0]!.getBroadcastState(bcD()).remove('r1');
    expect(restored[1]!.getBroadcastState(bcD()).contains('r1')).toBe(true);
  });

  it('reuses the bytes of broadcast values not replaced since, when values are declared immutable', () => {
    const backend = new DefaultOperatorStateBackend();
    const d = new MapStateDescriptor<string, { v: number }>('immutable').withImmutableValues();
    const bc = backend.getBroadcastState(d);
    bc.put('a', { v: 1 });
    bc.put('b', { v: 2 });
    const first = new Map(backend.snapshot().broadcast.immutable!.map(([k, b]) => [k, b]));
    bc.put('b', { v: 3 });
    const second = new Map(backend.snapshot().broadcast.immutable!.map(([k, b]) => [k, b]));
    expect(second.get('a')).toBe(first.get('a')); // the same bytes, not serialized again
    expect(second.get('b')).not.toBe(first.get('b'));
    const restored = new DefaultOperatorStateBackend();
    restored.restore([backend.snapshot()], 0, 1);
    expect([...restored.getBroadcastState(d).immutableEntries()]).toEqual([
      ['a', { v: 1 }],
      ['b', { v: 3 }],
    ]);
  });

  it('serializes broadcast values afresh at every snapshot by default (changes in place are kept)', () => {
    const backend = new DefaultOperatorStateBackend();
    const d = new MapStateDescriptor<string, { v: number }>('mutable');
    const value = { v: 1 };
    backend.getBroadcastState(d).put('a', value);
    backend.snapshot();
    value.v = 2;
    const restored = new DefaultOperatorStateBackend();
    restored.restore([backend.snapshot()], 0, 1);
    expect(restored.getBroadcastState(d).get('a')).toEqual({ v: 2 });
  });

  it('broadcast state supports the map API', () => {
    const bc = new DefaultOperatorStateBackend().getBroadcastState(bcD());
    bc.putAll([
      ['a', '1'],
      [{ y: 1, x: 2 }, '2'],
    ]);
    expect(bc.contains({ x: 2, y: 1 })).toBe(true);
    for (const [key] of bc.entries()) bc.remove(key);
    expect(bc.size()).toBe(0);
    bc.put('a', '1');
    bc.clear();
    expect([...bc.entries()]).toEqual([]);
  });

  it('carries restored state that was not opened into the next snapshot', () => {
    const [restored] = restoreAll([instance(4)], 1);
    const again = restoreAll([restored!.snapshot()], 1)[0]!;
    expect([...again.getListState(listD()).get()]).toEqual([40, 41, 42]);
    expect([...again.getUnionListState(unionD()).get()]).toEqual(['u4']);
    expect(again.getBroadcastState(bcD()).get('r1')).toBe('rule one');
  });

  it('returns the same handle per name and refuses a name under two modes', () => {
    const backend = new DefaultOperatorStateBackend();
    expect(backend.getListState(listD())).toBe(backend.getListState(listD()));
    expect(() => backend.getUnionListState(new ListStateDescriptor<number>('offsets'))).toThrow(/list state/);
    const [restored] = restoreAll([instance(0)], 1);
    expect(() => restored!.getListState(new ListStateDescriptor<string>('union'))).toThrow(/union state/);
  });

  it('list handles behave like list state', () => {
    const list = new DefaultOperatorStateBackend().getListState(listD());
    list.add(1);
    list.addAll([2, 3]);
    const copy = list.get();
    list.update([9]);
    expect([...copy]).toEqual([1, 2, 3]);
    expect([...list.get()]).toEqual([9]);
    list.clear();
    expect([...list.get()]).toEqual([]);
  });
});
