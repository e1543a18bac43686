import { describe, expect, it } from 'vitest';
import type { ValueState } from '../../../src/core/state/state.js';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../src/core/state/state-descriptor.js';
import { newBackend } from './helpers.js';

describe('HeapKeyedStateBackend keys', () => {
  it('getKeys lists the keys of one state and namespace', () => {
    const backend = newBackend<unknown>();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    const l = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l'));
    for (const key of ['a', 'b', ['c', 1]]) {
      backend.setCurrentKey(key);
      v.update(1);
    }
    backend.setCurrentKey('d');
    v.setCurrentNamespace('w');
    v.update(2);
    l.add(1);
    expect([...backend.getKeys('v', '')]).toEqual(['a', 'b', ['c', 1]]);
    expect([...backend.getKeys('v', 'w')]).toEqual(['d']);
    expect([...backend.getKeys('l', '')]).toEqual(['d']);
    expect([...backend.getKeys('unknown', '')]).toEqual([]);
    expect(backend.numKeys()).toBe(4);
    expect(backend.numEntries()).toBe(5);
  });

  it('applyToAllKeys visits each key as current key and restores the previous key', () => {
    const backend = newBackend<unknown>();
    const d = new ValueStateDescriptor<number>('v');
    const v = backend.getOrCreateKeyedState(d);
    for (const key of [1, 2, 3, [4, 'x']]) {
      backend.setCurrentKey(key);
      v.update(10);
    }
    backend.setCurrentKey('outside');
    v.setCurrentNamespace('other');
    const seen: unknown[] = [];
    backend.applyToAllKeys('', d, (key, state: ValueState<number>) => {
      expect(backend.getCurrentKey()).toEqual(key);
      seen.push(key);
      state.update(state.value()! + (typeof key === 'number' ? key : 100));
    });
    expect(seen).toEqual([1, 2, 3, [4, 'x']]);
    expect(backend.getCurrentKey()).toBe('outside');
    expect(v.getCurrentNamespace()).toBe('other');
    v.setCurrentNamespace('');
    backend.setCurrentKey(3);
    expect(v.value()).toBe(13);
    backend.setCurrentKey([4, 'x']);
    expect(v.value()).toBe(110);
  });

  it('applyToAllKeys tolerates adding and removing keys while it runs', () => {
    const backend = newBackend<number>();
    const d = new ValueStateDescriptor<number>('v');
    const v = backend.getOrCreateKeyedState(d);
    for (let k = 0; k < 10; k++) {
      backend.setCurrentKey(k);
      v.update(k);
    }
    const seen: number[] = [];
    backend.applyToAllKeys('', d, (key, state) => {
      seen.push(key);
      state.clear();
      backend.setCurrentKey(key + 100);
      state.update(key);
    });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...backend.getKeys('v', '')].sort((a, b) => a - b)).toEqual([
      100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
    ]);
  });

  it('removes empty containers so that idle keys hold nothing', () => {
    const backend = newBackend<string>();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    const l = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l'));
    for (let i = 0; i < 1000; i++) {
      backend.setCurrentKey(`k${i}`);
      v.setCurrentNamespace(i % 7);
      v.update(i);
      l.add(i);
    }
    expect(backend.numKeys()).toBe(1000);
    for (let i = 0; i < 1000; i++) {
      backend.setCurrentKey(`k${i}`);
      v.setCurrentNamespace(i % 7);
      v.clear();
      l.update([]);
    }
    expect(backend.numKeys()).toBe(0);
    expect(backend.numEntries()).toBe(0);
    // Internal tables hold no empty namespace maps either.
    expect((v as unknown as { table: Map<unknown, unknown> }).table.size).toBe(0);
    expect((l as unknown as { table: Map<unknown, unknown> }).table.size).toBe(0);
  });

  it('dispose drops everything', () => {
    const backend = newBackend<string>();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey('a');
    v.update(1);
    backend.dispose();
    expect(backend.numKeys()).toBe(0);
  });
});
