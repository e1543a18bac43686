import { describe, expect, it } from 'vitest';
import type { AggregateFunction } from '../../../src/core/state/state.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { StateTtlConfig, type StateTtlConfigBuilder } from '../../../src/core/state/state-ttl-config.js';
import { ManualClock, newBackend } from './helpers.js';

const TTL = 100;

/** TTL config without background cleanup unless a test asks for it, so expiry on access is isolated. */
function ttl(configure: (b: StateTtlConfigBuilder) => StateTtlConfigBuilder = (b) => b): StateTtlConfig {
  return configure(StateTtlConfig.newBuilder(TTL).disableCleanupInBackground()).build();
}

function setup() {
  const clock = new ManualClock(1_000);
  const backend = newBackend<unknown>(clock);
  return { clock, backend };
}

describe('TTL of value state', () => {
  it('expires a value ttl ms after the last write (OnCreateAndWrite) and frees the key', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()));
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(60);
    expect(v.value()).toBe(1); // reads do not refresh
    clock.advance(39);
    expect(v.value()).toBe(1);
    clock.advance(1);
    expect(v.value()).toBeUndefined();
    expect(backend.numEntries()).toBe(0);
    expect(backend.numKeys()).toBe(0);
  });

  it('refreshes on read with OnReadAndWrite', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())),
    );
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(60);
    expect(v.value()).toBe(1);
    clock.advance(90);
    expect(v.value()).toBe(1);
    clock.advance(100);
    expect(v.value()).toBeUndefined();
  });

  it('refreshes on write', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()));
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(90);
    v.update(2);
    clock.advance(90);
    expect(v.value()).toBe(2);
  });

  it('returns an expired value once with ReturnExpiredIfNotCleanedUp, then it is gone', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(
      new ValueStateDescriptor<number>('v').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())),
    );
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(500);
    expect(v.value()).toBe(1);
    expect(v.value()).toBeUndefined();
    expect(backend.numKeys()).toBe(0);
  });

  it('never returns the default for a live value and returns it after expiry', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(
      new ValueStateDescriptor<number>('v', undefined, 0).enableTimeToLive(ttl()),
    );
    backend.setCurrentKey('a');
    v.update(5);
    clock.advance(TTL);
    expect(v.value()).toBe(0);
  });
});

describe('TTL of list, map, reducing and aggregating state', () => {
  it('expires list elements one by one', () => {
    const { clock, backend } = setup();
    const l = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l').enableTimeToLive(ttl()));
    backend.setCurrentKey('a');
    l.add(1);
    clock.advance(50);
    l.addAll([2, 3]);
    clock.advance(60);
    expect([...l.get()]).toEqual([2, 3]);
    clock.advance(40);
    expect([...l.get()]).toEqual([]);
    expect(backend.numKeys()).toBe(0);
  });

  it('refreshes list elements on read with OnReadAndWrite', () => {
    const { clock, backend } = setup();
    const l = backend.getOrCreateKeyedState(
      new ListStateDescriptor<number>('l').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())),
    );
    backend.setCurrentKey('a');
    l.add(1);
    clock.advance(90);
    expect([...l.get()]).toEqual([1]);
    clock.advance(90);
    expect([...l.get()]).toEqual([1]);
  });

  it('returns expired list elements once with ReturnExpiredIfNotCleanedUp', () => {
    const { clock, backend } = setup();
    const l = backend.getOrCreateKeyedState(
      new ListStateDescriptor<number>('l').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())),
    );
    backend.setCurrentKey('a');
    l.add(1);
    clock.advance(TTL);
    l.add(2);
    expect([...l.get()]).toEqual([1, 2]);
    expect([...l.get()]).toEqual([2]);
  });

  it('expires map entries one by one', () => {
    const { clock, backend } = setup();
    const m = backend.getOrCreateKeyedState(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl()),
    );
    backend.setCurrentKey('a');
    m.put('x', 1);
    clock.advance(50);
    m.put('y', 2);
    clock.advance(60);
    expect(m.get('x')).toBeUndefined();
    expect(m.contains('x')).toBe(false);
    expect(m.contains('y')).toBe(true);
    expect([...m.entries()]).toEqual([['y', 2]]);
    expect(m.isEmpty()).toBe(false);
    clock.advance(40);
    expect(m.isEmpty()).toBe(true);
    expect(backend.numKeys()).toBe(0);
  });

  it('refreshes a map entry on write and on read with OnReadAndWrite', () => {
    const { clock, backend } = setup();
    const m = backend.getOrCreateKeyedState(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())),
    );
    backend.setCurrentKey('a');
    m.put('x', 1);
    m.put('y', 1);
    clock.advance(90);
    expect(m.get('x')).toBe(1);
    m.put('y', 2);
    clock.advance(90);
    expect([...m.keys()].sort()).toEqual(['x', 'y']);
  });

  it('reducing state starts over when the stored value expired', () => {
    const { clock, backend } = setup();
    const s = backend.getOrCreateKeyedState(
      new ReducingStateDescriptor<number>('s', (a, b) => a + b).enableTimeToLive(ttl()),
    );
    backend.setCurrentKey('a');
    s.add(1);
    s.add(2);
    clock.advance(TTL);
    s.add(5);
    expect(s.get()).toBe(5);
  });

  it('aggregating state starts a new accumulator when the old one expired', () => {
    const count: AggregateFunction<string, number, string> = {
      createAccumulator: () => 0,
      add: (_v, acc) => acc + 1,
      getResult: (acc) => `n=${acc}`,
      merge: (a, b) => a + b,
    };
    const { clock, backend } = setup();
    const s = backend.getOrCreateKeyedState(
      new AggregatingStateDescriptor('s', count).enableTimeToLive(ttl()),
    );
    backend.setCurrentKey('a');
    s.add('x');
    s.add('y');
    expect(s.get()).toBe('n=2');
    clock.advance(TTL);
    expect(s.get()).toBeUndefined();
    s.add('z');
    expect(s.get()).toBe('n=1');
  });
});

describe('TTL cleanup', () => {
  function fill(backend: ReturnType<typeof newBackend<unknown>>, config: StateTtlConfig, n: number) {
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v').enableTimeToLive(config));
    for (let i = 0; i < n; i++) {
      backend.setCurrentKey(i % 2 === 0 ? i : [i, 'composite']);
      v.update(i);
    }
    return v;
  }

  it('incrementally removes expired entries of other keys on each access', () => {
    const { clock, backend } = setup();
    const v = fill(
      backend,
      ttl((b) => b.cleanupIncrementally(10, false)),
      100,
    );
    expect(backend.numKeys()).toBe(100);
    clock.advance(TTL);
    backend.setCurrentKey('other');
    expect(v.value()).toBeUndefined();
    expect(backend.numEntries()).toBe(90);
    for (let i = 0; i < 9; i++) v.value();
    expect(backend.numEntries()).toBe(0);
    expect(backend.numKeys()).toBe(0);
  });

  it('keeps live entries while cleaning and resumes where it stopped', () => {
    const { clock, backend } = setup();
    const v = fill(
      backend,
      ttl((b) => b.cleanupIncrementally(3, false)),
      10,
    );
    clock.advance(50);
    backend.setCurrentKey('fresh');
    v.update(-1);
    clock.advance(50); // the first 10 expired, 'fresh' did not
    for (let i = 0; i < 10; i++) v.value();
    expect(backend.numKeys()).toBe(1);
    expect([...backend.getKeys('v', '')]).toEqual(['fresh']);
  });

  it('cleans list elements and map entries incrementally', () => {
    const { clock, backend } = setup();
    const config = ttl((b) => b.cleanupIncrementally(100, false));
    const l = backend.getOrCreateKeyedState(new ListStateDescriptor<number>('l').enableTimeToLive(config));
    const m = backend.getOrCreateKeyedState(
      new MapStateDescriptor<string, number>('m').enableTimeToLive(config),
    );
    for (let i = 0; i < 20; i++) {
      backend.setCurrentKey(i);
      l.add(i);
      m.put('k', i);
    }
    clock.advance(50);
    backend.setCurrentKey(0);
    l.add(100);
    m.put('j', 100);
    clock.advance(50);
    backend.setCurrentKey('x');
    l.get();
    m.isEmpty();
    expect(backend.numKeys()).toBe(1);
    expect(backend.numEntries()).toBe(2);
    backend.setCurrentKey(0);
    expect([...l.get()]).toEqual([100]);
    expect([...m.entries()]).toEqual([['j', 100]]);
  });

  it('onRecordProcessed cleans states configured to run for every record', () => {
    const { clock, backend } = setup();
    fill(
      backend,
      ttl((b) => b.cleanupIncrementally(5, true)),
      20,
    );
    clock.advance(TTL);
    backend.onRecordProcessed();
    expect(backend.numEntries()).toBe(15);
    for (let i = 0; i < 3; i++) backend.onRecordProcessed();
    expect(backend.numEntries()).toBe(0);
    expect(backend.numKeys()).toBe(0);
  });

  it('onRecordProcessed leaves states without runCleanupForEveryRecord alone', () => {
    const { clock, backend } = setup();
    fill(
      backend,
      ttl((b) => b.cleanupIncrementally(5, false)),
      20,
    );
    clock.advance(TTL);
    backend.onRecordProcessed();
    expect(backend.numEntries()).toBe(20);
  });

  it('a snapshot excludes expired entries and, with full-snapshot cleanup, frees them', () => {
    const { clock, backend } = setup();
    const v = fill(
      backend,
      ttl((b) => b.cleanupFullSnapshot()),
      10,
    );
    clock.advance(50);
    backend.setCurrentKey('fresh');
    v.update(1);
    clock.advance(50);
    const snapshot = backend.snapshot();
    expect(backend.numKeys()).toBe(1);
    const restored = newBackend<unknown>(clock);
    restored.restore([snapshot]);
    restored.getOrCreateKeyedState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()));
    expect([...restored.getKeys('v', '')]).toEqual(['fresh']);
  });

  it('without full-snapshot cleanup expired entries stay in memory but not in the snapshot', () => {
    const { clock, backend } = setup();
    fill(
      backend,
      ttl((b) => b.cleanupFullSnapshot(false)),
      10,
    );
    clock.advance(TTL);
    const snapshot = backend.snapshot();
    expect(backend.numKeys()).toBe(10);
    expect(snapshot.groups).toEqual([]);
  });
});

describe('TTL across snapshots', () => {
  it('keeps last-access timestamps through snapshot and restore', () => {
    const { clock, backend } = setup();
    const d = () => new ValueStateDescriptor<number>('v').enableTimeToLive(ttl());
    const v = backend.getOrCreateKeyedState(d());
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(60);
    const restored = newBackend<unknown>(clock);
    restored.restore([backend.snapshot()]);
    const w = restored.getOrCreateKeyedState(d());
    restored.setCurrentKey('a');
    expect(w.value()).toBe(1);
    clock.advance(40);
    expect(w.value()).toBeUndefined();
  });

  it('state restored into a TTL descriptor from a snapshot without TTL starts its clock at restore', () => {
    const { clock, backend } = setup();
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    backend.setCurrentKey('a');
    v.update(1);
    clock.advance(1_000);
    const restored = newBackend<unknown>(clock);
    restored.restore([backend.snapshot()]);
    const w = restored.getOrCreateKeyedState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()));
    restored.setCurrentKey('a');
    clock.advance(99);
    expect(w.value()).toBe(1);
    clock.advance(1);
    expect(w.value()).toBeUndefined();
  });
});
