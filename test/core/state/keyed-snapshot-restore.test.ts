import { describe, expect, it } from 'vitest';
import type { HeapKeyedStateBackend } from '../../../src/core/state/heap-keyed-state-backend.js';
import { assignToKeyGroup, computeOperatorIndexForKeyGroup } from '../../../src/core/state/key-groups.js';
import type { KeyGroupedSnapshot } from '../../../src/core/state/keyed-state-backend.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { JsonSerializer } from '../../../src/core/state/type-serializer.js';
import { ManualClock, newBackend } from './helpers.js';

const MAX_P = 32;
const descriptors = () => ({
  v: new ValueStateDescriptor<number>('v'),
  l: new ListStateDescriptor<string>('l', JsonSerializer.INSTANCE),
  m: new MapStateDescriptor<string, { n: number }>('m'),
  r: new ReducingStateDescriptor<number>('r', (a, b) => a + b),
});

const keyOf = (i: number): unknown => (i % 3 === 0 ? `key-${i}` : i % 3 === 1 ? i : [i, 'c']);

function fill(backend: HeapKeyedStateBackend<unknown>, keys: number[]): void {
  const d = descriptors();
  const v = backend.getOrCreateKeyedState(d.v);
  const l = backend.getOrCreateKeyedState(d.l);
  const m = backend.getOrCreateKeyedState(d.m);
  const r = backend.getOrCreateKeyedState(d.r);
  for (const i of keys) {
    backend.setCurrentKey(keyOf(i));
    v.update(i);
    l.addAll([`a${i}`, `b${i}`]);
    m.put(`x${i}`, { n: i });
    r.setCurrentNamespace(i % 4);
    r.add(i);
    r.add(1);
  }
}

/** What every key holds, read through fresh handles. */
function read(backend: HeapKeyedStateBackend<unknown>, i: number) {
  const d = descriptors();
  const v = backend.getOrCreateKeyedState(d.v);
  const l = backend.getOrCreateKeyedState(d.l);
  const m = backend.getOrCreateKeyedState(d.m);
  const r = backend.getOrCreateKeyedState(d.r);
  backend.setCurrentKey(keyOf(i));
  r.setCurrentNamespace(i % 4);
  return { v: v.value(), l: [...l.get()], m: [...m.entries()], r: r.get() };
}

function rescale(snapshots: KeyGroupedSnapshot[], parallelism: number): HeapKeyedStateBackend<unknown>[] {
  return Array.from({ length: parallelism }, (_, index) => {
    const backend = newBackend<unknown>(new ManualClock(), MAX_P, parallelism, index);
    backend.restore(snapshots);
    return backend;
  });
}

/** Builds `parallelism` instances, each holding the keys it owns. */
function build(parallelism: number, keys: number[]): HeapKeyedStateBackend<unknown>[] {
  const backends = rescale([], parallelism);
  for (const i of keys) {
    const owner = computeOperatorIndexForKeyGroup(MAX_P, parallelism, assignToKeyGroup(keyOf(i), MAX_P));
    fill(backends[owner]!, [i]);
  }
  return backends;
}

function checkPlacement(backends: HeapKeyedStateBackend<unknown>[], keys: number[]): void {
  const parallelism = backends.length;
  for (const i of keys) {
    const owner = computeOperatorIndexForKeyGroup(MAX_P, parallelism, assignToKeyGroup(keyOf(i), MAX_P));
    for (let b = 0; b < parallelism; b++) {
      const got = read(backends[b]!, i);
      if (b === owner) {
        expect(got).toEqual({ v: i, l: [`a${i}`, `b${i}`], m: [[`x${i}`, { n: i }]], r: i + 1 });
      } else {
        expect(got).toEqual({ v: undefined, l: [], m: [], r: undefined });
      }
    }
  }
  expect(backends.reduce((n, b) => n + b.numKeys(), 0)).toBe(keys.length);
}

const KEYS = Array.from({ length: 300 }, (_, i) => i);

describe('keyed state snapshot and restore', () => {
  it('writes one blob per non-empty key group, sorted', () => {
    const [backend] = build(1, KEYS);
    const snapshot = backend!.snapshot();
    expect(snapshot.maxParallelism).toBe(MAX_P);
    const groups = snapshot.groups.map(([g]) => g);
    const expected = [...new Set(KEYS.map((i) => assignToKeyGroup(keyOf(i), MAX_P)))].sort((a, b) => a - b);
    expect(groups).toEqual(expected);
  });

  it('restores into the same parallelism', () => {
    const before = build(1, KEYS);
    checkPlacement(rescale([before[0]!.snapshot()], 1), KEYS);
  });

  it('rescales from 2 instances to 3', () => {
    const before = build(2, KEYS);
    checkPlacement(before, KEYS);
    checkPlacement(
      rescale(
        before.map((b) => b.snapshot()),
        3,
      ),
      KEYS,
    );
  });

  it('rescales from 3 instances to 2', () => {
    const before = build(3, KEYS);
    checkPlacement(
      rescale(
        before.map((b) => b.snapshot()),
        2,
      ),
      KEYS,
    );
  });

  it('keeps restored state of unregistered descriptors until asked, also across snapshots', () => {
    const [backend] = build(1, [1, 2, 3]);
    const restored = newBackend<unknown>(new ManualClock(), MAX_P);
    restored.restore([backend!.snapshot()]);
    expect(restored.numKeys()).toBe(3);
    expect(restored.numEntries()).toBe(12);
    expect([...restored.getKeys('v', '')]).toEqual(expect.arrayContaining([keyOf(1), keyOf(2), keyOf(3)]));
    // A second generation without ever registering the descriptors loses nothing.
    const again = newBackend<unknown>(new ManualClock(), MAX_P);
    again.restore([restored.snapshot()]);
    for (const i of [1, 2, 3]) {
      expect(read(again, i)).toEqual({ v: i, l: [`a${i}`, `b${i}`], m: [[`x${i}`, { n: i }]], r: i + 1 });
    }
  });

  it('restores into handles registered before restore', () => {
    const [backend] = build(1, [5]);
    const restored = newBackend<unknown>(new ManualClock(), MAX_P);
    const v = restored.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    restored.restore([backend!.snapshot()]);
    restored.setCurrentKey(keyOf(5));
    expect(v.value()).toBe(5);
  });

  it('refuses another maxParallelism and a different state kind', () => {
    const [backend] = build(1, [1]);
    const snapshot = backend!.snapshot();
    expect(() => newBackend<unknown>(new ManualClock(), 64).restore([snapshot])).toThrow(/maxParallelism/);
    const restored = newBackend<unknown>(new ManualClock(), MAX_P);
    restored.restore([snapshot]);
    expect(() => restored.getOrCreateKeyedState(new ListStateDescriptor<number>('v'))).toThrow(/value state/);
  });

  it('keeps state intact when taken mid-run: the snapshot does not alias live values', () => {
    const backend = newBackend<string>(new ManualClock(), MAX_P);
    const m = backend.getOrCreateKeyedState(new MapStateDescriptor<string, number[]>('m'));
    backend.setCurrentKey('a');
    const arr = [1];
    m.put('x', arr);
    const snapshot = backend.snapshot();
    arr.push(2);
    const restored = newBackend<string>(new ManualClock(), MAX_P);
    restored.restore([snapshot]);
    const m2 = restored.getOrCreateKeyedState(new MapStateDescriptor<string, number[]>('m'));
    restored.setCurrentKey('a');
    expect(m2.get('x')).toEqual([1]);
  });
});
