import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor } from '../../../src/core/state/state-descriptor.js';
import { merging, newBackend } from './helpers.js';

describe('HeapListState', () => {
  it('adds, replaces and clears per key and namespace', () => {
    const backend = newBackend<string>();
    const list = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l'));
    backend.setCurrentKey('a');
    expect([...list.get()]).toEqual([]);
    list.add(1);
    list.addAll([2, 3]);
    list.addAll([]);
    expect([...list.get()]).toEqual([1, 2, 3]);
    list.setCurrentNamespace('w');
    list.add(9);
    expect([...list.get()]).toEqual([9]);
    list.setCurrentNamespace('');
    list.update([7, 8]);
    expect([...list.get()]).toEqual([7, 8]);
    list.update([]);
    expect([...list.get()]).toEqual([]);
    expect(backend.numEntries()).toBe(1);
    list.setCurrentNamespace('w');
    list.clear();
    expect(backend.numEntries()).toBe(0);
    expect(backend.numKeys()).toBe(0);
  });

  it('returns a copy that stays valid while the state changes', () => {
    const backend = newBackend<string>();
    const list = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l'));
    backend.setCurrentKey('a');
    list.addAll([1, 2]);
    const seen: number[] = [];
    for (const v of list.get()) {
      seen.push(v);
      list.add(v * 10);
    }
    expect(seen).toEqual([1, 2]);
    expect([...list.get()]).toEqual([1, 2, 10, 20]);
  });

  it('rejects null and undefined elements', () => {
    const backend = newBackend<string>();
    const list = backend.getOrCreateKeyedState(new ListStateDescriptor<number | null>('l'));
    backend.setCurrentKey('a');
    expect(() => list.add(null)).toThrow(TypeError);
    expect(() => list.addAll([1, null])).toThrow(TypeError);
  });

  it('merges namespaces by concatenation', () => {
    const backend = newBackend<string>();
    const list = merging(backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l')));
    backend.setCurrentKey('a');
    list.setCurrentNamespace('x');
    list.add(1);
    list.setCurrentNamespace('y');
    list.add(2);
    list.setCurrentNamespace('z');
    list.add(3);
    list.mergeNamespaces('z', ['x', 'y', 'missing']);
    expect(list.getCurrentNamespace()).toBe('z');
    expect([...list.get()]).toEqual([3, 1, 2]);
    list.setCurrentNamespace('x');
    expect([...list.get()]).toEqual([]);
    expect(backend.numEntries()).toBe(1);
  });
});

describe('HeapMapState', () => {
  it('supports the full map API per key', () => {
    const backend = newBackend<string>();
    const map = backend.getOrCreateKeyedState(new MapStateDescriptor<string, number>('m'));
    backend.setCurrentKey('a');
    expect(map.isEmpty()).toBe(true);
    map.put('x', 1);
    map.putAll([
      ['y', 2],
      ['z', 3],
    ]);
    map.putAll(new Map([['w', 4]]));
    expect(map.get('y')).toBe(2);
    expect(map.contains('z')).toBe(true);
    expect(map.contains('q')).toBe(false);
    map.remove('z');
    expect([...map.entries()]).toEqual([
      ['x', 1],
      ['y', 2],
      ['w', 4],
    ]);
    expect([...map.keys()]).toEqual(['x', 'y', 'w']);
    expect([...map.values()]).toEqual([1, 2, 4]);
    backend.setCurrentKey('b');
    expect(map.isEmpty()).toBe(true);
    expect(map.get('x')).toBeUndefined();
  });

  it('drops the key once its last map entry is removed', () => {
    const backend = newBackend<string>();
    const map = backend.getOrCreateKeyedState(new MapStateDescriptor<string, number>('m'));
    backend.setCurrentKey('a');
    map.put('x', 1);
    map.put('y', 2);
    map.remove('x');
    expect(backend.numKeys()).toBe(1);
    map.remove('y');
    expect(backend.numKeys()).toBe(0);
    expect(backend.numEntries()).toBe(0);
  });

  it('accepts composite user keys and returns them as passed', () => {
    const backend = newBackend<string>();
    const map = backend.getOrCreateKeyedState(new MapStateDescriptor<[string, number], string>('m'));
    backend.setCurrentKey('a');
    map.put(['x', 1], 'one');
    map.put(['x', 1], 'uno');
    map.put(['x', 2], 'two');
    expect(map.get(['x', 1])).toBe('uno');
    expect([...map.keys()]).toEqual([
      ['x', 1],
      ['x', 2],
    ]);
  });

  it('keeps namespaces apart', () => {
    const backend = newBackend<string>();
    const map = backend.getOrCreateKeyedState(new MapStateDescriptor<string, number>('m'));
    backend.setCurrentKey('a');
    map.setCurrentNamespace(1);
    map.put('x', 1);
    map.setCurrentNamespace(2);
    expect(map.contains('x')).toBe(false);
    map.put('x', 2);
    map.setCurrentNamespace(1);
    expect(map.get('x')).toBe(1);
    expect(backend.numEntries()).toBe(2);
  });
});
