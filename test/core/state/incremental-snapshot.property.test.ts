import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend } from '../../../src/core/state/heap-keyed-state-backend.js';
import { KeyGroupRange } from '../../../src/core/state/key-groups.js';
import { decodeKeyGroup } from '../../../src/core/state/keyed-snapshot-format.js';
import type { KeyGroupedSnapshot } from '../../../src/core/state/keyed-state-backend.js';
import type { SnapshotPlan } from '../../../src/core/state/snapshot-plan.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { StateTtlConfig } from '../../../src/core/state/state-ttl-config.js';
import { JsonSerializer } from '../../../src/core/state/type-serializer.js';
import { ManualClock } from './helpers.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.FC_RUNS ?? 200);
const MAX_PARALLELISM = 8;

type Op =
  | { t: 'update'; key: string; ns: string; v: number }
  | { t: 'mutate'; key: string; ns: string; v: number }
  | { t: 'clear'; key: string; ns: string }
  | { t: 'put'; key: string; mk: string; v: number }
  | { t: 'remove'; key: string; mk: string }
  | { t: 'add'; key: string; v: number }
  | { t: 'listClear'; key: string }
  | { t: 'ttlUpdate'; key: string; v: number }
  | { t: 'tick'; ms: number }
  | { t: 'checkpoint'; completes: boolean }
  | { t: 'savepoint' };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const ns = fc.constantFrom('', 'w1', 'w2');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('update' as const), key, ns, v: fc.integer() }),
  fc.record({ t: fc.constant('mutate' as const), key, ns, v: fc.integer() }),
  fc.record({ t: fc.constant('clear' as const), key, ns }),
  fc.record({ t: fc.constant('put' as const), key, mk: fc.constantFrom('x', 'y'), v: fc.integer() }),
  fc.record({ t: fc.constant('remove' as const), key, mk: fc.constantFrom('x', 'y') }),
  fc.record({ t: fc.constant('add' as const), key, v: fc.integer() }),
  fc.record({ t: fc.constant('listClear' as const), key }),
  fc.record({ t: fc.constant('ttlUpdate' as const), key, v: fc.integer() }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ t: fc.constant('checkpoint' as const), completes: fc.boolean() }),
  fc.constant({ t: 'savepoint' as const }),
);

function descriptors() {
  return {
    // Structured clone: the stored object is handed out, so a caller can change it in place.
    value: new ValueStateDescriptor<{ n: number }>('value'),
    map: new MapStateDescriptor<string, number>('map', JsonSerializer.INSTANCE),
    list: new ListStateDescriptor<number>('list'),
    ttl: new ValueStateDescriptor<number>('ttl', JsonSerializer.INSTANCE).enableTimeToLive(
      StateTtlConfig.newBuilder(100).cleanupIncrementally(2, false).build(),
    ),
  };
}

function backend(clock: ManualClock, planner?: { planOf(id: number): SnapshotPlan | undefined }) {
  return new HeapKeyedStateBackend<string>({
    maxParallelism: MAX_PARALLELISM,
    keyGroupRange: KeyGroupRange.forOperatorIndex(MAX_PARALLELISM, 1, 0),
    clock,
    ...(planner !== undefined ? { planner } : {}),
  });
}

/** What a full snapshot holds: `state|namespace|key` -> payload, removals applied in order. */
function contents(snapshot: KeyGroupedSnapshot): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [, bytes] of snapshot.groups) {
    for (const [name, , entries, , removed] of decodeKeyGroup(bytes)) {
      for (const [namespace, k, payload] of entries) out.set(`${name}|${namespace}|${String(k)}`, payload);
      for (const [namespace, k] of removed ?? []) out.delete(`${name}|${namespace}|${String(k)}`);
    }
  }
  return new Map([...out].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/**
 * Incremental snapshots of the heap backend: whatever the operations (in-place changes included),
 * checkpoints that complete or abort, savepoints in between and chain lengths, restoring a completed
 * checkpoint's chain (its full snapshot, then each delta) gives exactly the state a full snapshot
 * took at that checkpoint.
 */
describe('incremental keyed snapshots (property)', () => {
  it('a completed checkpoint chain restores the state of a full snapshot at that point', () => {
    console.log(`incremental snapshots: seed ${seed} (rerun with FC_SEED=${seed})`);
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 20, maxLength: 150 }),
        fc.integer({ min: 1, max: 5 }),
        (ops, chainLength) => {
          const clock = new ManualClock(1000);
          const plans = new Map<number, SnapshotPlan>();
          const live = backend(clock, { planOf: (id) => plans.get(id) });
          const d = descriptors();
          const value = live.getOrCreateKeyedState(d.value);
          const map = live.getOrCreateKeyedState(d.map);
          const list = live.getOrCreateKeyedState(d.list);
          const ttl = live.getOrCreateKeyedState(d.ttl);
          const stored = new Map<number, KeyGroupedSnapshot>();
          let lastCompleted: number | undefined;
          let chain = 0;
          let nextId = 1;
          let deltas = 0;
          for (const o of ops) {
            switch (o.t) {
              case 'update':
              case 'mutate':
              case 'clear': {
                live.setCurrentKey(o.key);
                value.setCurrentNamespace(o.ns);
                if (o.t === 'update') value.update({ n: o.v });
                else if (o.t === 'clear') value.clear();
                else {
                  const v = value.value();
                  if (v !== undefined) v.n = o.v; // changed in place, no update()
                }
                break;
              }
              case 'put':
                live.setCurrentKey(o.key);
                map.put(o.mk, o.v);
                break;
              case 'remove':
                live.setCurrentKey(o.key);
                map.remove(o.mk);
                break;
              case 'add':
                live.setCurrentKey(o.key);
                list.add(o.v);
                break;
              case 'listClear':
                live.setCurrentKey(o.key);
                list.clear();
                break;
              case 'ttlUpdate':
                live.setCurrentKey(o.key);
                ttl.update(o.v);
                break;
              case 'tick':
                clock.advance(o.ms);
                break;
              case 'savepoint':
                // A detached snapshot: full, and it leaves the change tracking alone.
                expect(live.snapshot(nextId++).base).toBeUndefined();
                break;
              case 'checkpoint': {
                const id = nextId++;
                plans.set(id, {
                  base: lastCompleted,
                  full: lastCompleted === undefined || chain + 1 >= chainLength,
                });
                const snapshot = live.snapshot(id);
                const expected = contents(live.snapshot());
                if (!o.completes) break;
                stored.set(id, snapshot);
                chain = snapshot.base === undefined ? 0 : chain + 1;
                if (snapshot.base !== undefined) deltas++;
                lastCompleted = id;
                // Resolve the chain as a storage does: the full snapshot's groups, then each delta's.
                const links: KeyGroupedSnapshot[] = [snapshot];
                while (links[0]!.base !== undefined) links.unshift(stored.get(links[0]!.base)!);
                const resolved: KeyGroupedSnapshot = {
                  maxParallelism: MAX_PARALLELISM,
                  groups: links.flatMap((s) => s.groups),
                };
                const restored = backend(clock);
                restored.restore([resolved]);
                const r = descriptors();
                restored.getOrCreateKeyedState(r.value);
                restored.getOrCreateKeyedState(r.map);
                restored.getOrCreateKeyedState(r.list);
                restored.getOrCreateKeyedState(r.ttl);
                expect(contents(restored.snapshot())).toEqual(expected);
                break;
              }
            }
          }
          // Chains longer than 1 must have produced deltas when a checkpoint followed a completed one.
          if (chainLength === 1) expect(deltas).toBe(0);
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it('a delta holds only the keys touched since its base, and their removals', () => {
    const clock = new ManualClock(0);
    const plans = new Map<number, SnapshotPlan>([
      [1, { base: undefined, full: true }],
      [2, { base: 1, full: false }],
    ]);
    const live = backend(clock, { planOf: (id) => plans.get(id) });
    const value = live.getOrCreateKeyedState(new ValueStateDescriptor<number>('v'));
    for (let i = 0; i < 100; i++) {
      live.setCurrentKey(`k${i}`);
      value.update(i);
    }
    expect(live.snapshot(1).base).toBeUndefined();
    live.setCurrentKey('k3');
    value.update(-3);
    live.setCurrentKey('k4');
    value.clear();
    const delta = live.snapshot(2);
    expect(delta.base).toBe(1);
    const written: unknown[] = [];
    const removed: unknown[] = [];
    for (const [, bytes] of delta.groups) {
      for (const [, , entries, , gone] of decodeKeyGroup(bytes)) {
        for (const [, k] of entries) written.push(k);
        for (const [, k] of gone ?? []) removed.push(k);
      }
    }
    expect(written).toEqual(['k3']);
    expect(removed).toEqual(['k4']);
  });

  it('a read-only walk over all keys does not make them part of the next delta', () => {
    const plans = new Map<number, SnapshotPlan>([
      [1, { base: undefined, full: true }],
      [2, { base: 1, full: false }],
    ]);
    const live = backend(new ManualClock(0), { planOf: (id) => plans.get(id) });
    const desc = new ValueStateDescriptor<number>('v');
    const value = live.getOrCreateKeyedState(desc);
    for (let i = 0; i < 10; i++) {
      live.setCurrentKey(`k${i}`);
      value.update(i);
    }
    live.snapshot(1);
    let sum = 0;
    live.applyToAllKeys(
      '',
      desc,
      (_k, s) => {
        sum += s.value() ?? 0;
      },
      true,
    );
    expect(sum).toBe(45);
    expect(live.snapshot(2).groups).toEqual([]);
  });

  it('restoring a delta without its chain is refused', () => {
    const live = backend(new ManualClock(0));
    expect(() => live.restore([{ maxParallelism: MAX_PARALLELISM, groups: [], base: 7 }])).toThrow(
      /delta to checkpoint 7/,
    );
  });
});
