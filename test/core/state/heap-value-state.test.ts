import { describe, expect, it } from 'vitest';
import { ValueStateDescriptor } from '../../../src/core/state/state-descriptor.js';
import { newBackend } from './helpers.js';

describe('HeapValueState', () => {
  it('keeps one value per key', () => {
    const backend = newBackend<string>();
    const state = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey('a');
    expect(state.value()).toBeUndefined();
    state.update(1);
    backend.setCurrentKey('b');
    expect(state.value()).toBeUndefined();
    state.update(2);
    backend.setCurrentKey('a');
    expect(state.value()).toBe(1);
    backend.setCurrentKey('b');
    expect(state.value()).toBe(2);
    expect(backend.numKeys()).toBe(2);
    expect(backend.numEntries()).toBe(2);
  });

  it('returns the descriptor default when nothing is stored', () => {
    const backend = newBackend<string>();
    const count = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('count', undefined, 0));
    backend.setCurrentKey('k');
    expect(count.value()).toBe(0);
    count.update(count.value()! + 1);
    count.update(count.value()! + 1);
    expect(count.value()).toBe(2);
    count.clear();
    expect(count.value()).toBe(0);
  });

  it('update(undefined) clears and frees the key', () => {
    const backend = newBackend<string>();
    const state = backend.getOrCreateKeyedState(new ValueStateDescriptor<string>('v'));
    backend.setCurrentKey('k');
    state.update('x');
    expect(backend.numKeys()).toBe(1);
    state.update(undefined);
    expect(state.value()).toBeUndefined();
    expect(backend.numKeys()).toBe(0);
    expect(backend.numEntries()).toBe(0);
  });

  it('separates namespaces of the same key', () => {
    const backend = newBackend<string>();
    const state = backend.getOrCreateKeyedState(new ValueStateDescriptor<string>('v'));
    backend.setCurrentKey('k');
    state.setCurrentNamespace('w1');
    state.update('one');
    state.setCurrentNamespace(2);
    expect(state.getCurrentNamespace()).toBe(2);
    expect(state.value()).toBeUndefined();
    state.update('two');
    state.setCurrentNamespace('w1');
    expect(state.value()).toBe('one');
    expect(backend.numEntries()).toBe(2);
    expect(backend.numKeys()).toBe(1);
    state.clear();
    state.setCurrentNamespace(2);
    expect(state.value()).toBe('two');
    expect(backend.numEntries()).toBe(1);
  });

  it('re-finds a namespace after it was emptied and recreated', () => {
    const backend = newBackend<string>();
    const state = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey('a');
    state.update(1);
    state.clear(); // drops the namespace map the handle had cached
    state.update(2);
    backend.setCurrentKey('b');
    state.update(3);
    backend.setCurrentKey('a');
    expect(state.value()).toBe(2);
    expect([...backend.getKeys('v', '')].sort()).toEqual(['a', 'b']);
  });

  it('treats equal composite keys as one key and returns the original key', () => {
    const backend = newBackend<unknown>();
    const state = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey(['user', 7]);
    state.update(1);
    backend.setCurrentKey({ b: 2, a: 1 });
    state.update(2);
    backend.setCurrentKey(['user', 7]);
    expect(state.value()).toBe(1);
    backend.setCurrentKey({ a: 1, b: 2 });
    expect(state.value()).toBe(2);
    expect(backend.getCurrentKey()).toEqual({ a: 1, b: 2 });
    backend.setCurrentKey('["user",7]'); // a string must not collide with the array key
    expect(state.value()).toBeUndefined();
    expect([...backend.getKeys('v', '')]).toEqual([['user', 7], { b: 2, a: 1 }]);
    expect(backend.numKeys()).toBe(2);
  });

  it('returns the same handle for the same name and rejects another kind', async () => {
    const { ListStateDescriptor } = await import('../../../src/core/state/state-descriptor.js');
    const backend = newBackend<string>();
    const a = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    const b = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    expect(a).toBe(b);
    expect(() => backend.getOrCreateKeyedState(new ListStateDescriptor<number>('v'))).toThrow(/value state/);
  });

  it('computes the key group of the current key on demand', async () => {
    const { assignToKeyGroup } = await import('../../../src/core/state/key-groups.js');
    const backend = newBackend<unknown>();
    for (const key of ['a', 42, [1, 2], { x: 1 }]) {
      backend.setCurrentKey(key);
      expect(backend.getCurrentKeyGroup()).toBe(assignToKeyGroup(key, 128));
    }
  });
});
