import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeapKeyedStateBackend } from '../../../src/core/state/heap-keyed-state-backend.js';
import { assignKeyToParallelOperator, normalizeKey } from '../../../src/core/state/key-groups.js';
import type { Namespace } from '../../../src/core/state/keyed-state-backend.js';
import type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ValueState,
} from '../../../src/core/state/state.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  type StateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { StateTtlConfig, TtlUpdateType } from '../../../src/core/state/state-ttl-config.js';
import { ManualClock, merging, newBackend } from './helpers.js';

/**
 * Random operations over every state kind, with and without TTL, run twice: once on one backend,
 * once with snapshot -> restore (at random parallelism, so also rescaling) at random points. Both
 * runs must observe exactly the same results.
 */

const MAX_P = 16;
const TTL = 50;
const KEYS: unknown[] = ['a', 'b', 1, 2, [1, 'x'], { u: 1, v: [2] }];
const NAMESPACES: Namespace[] = ['', 'w1', 7];

const sumAgg: AggregateFunction<number, { s: number; n: number }, string> = {
  createAccumulator: () => ({ s: 0, n: 0 }),
  add: (v, acc) => ({ s: acc.s + v, n: acc.n + 1 }),
  getResult: (acc) => `${acc.s}/${acc.n}`,
  merge: (a, b) => ({ s: a.s + b.s, n: a.n + b.n }),
};

type Kind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';
const KINDS: Kind[] = ['value', 'list', 'map', 'reducing', 'aggregating'];

function descriptor(kind: Kind, ttl: boolean): StateDescriptor<any, any> {
  const name = `${kind}${ttl ? '-ttl' : ''}`;
  const d =
    kind === 'value'
      ? new ValueStateDescriptor<number>(name)
      : kind === 'list'
        ? new ListStateDescriptor<number>(name)
        : kind === 'map'
          ? new MapStateDescriptor<unknown, number>(name)
          : kind === 'reducing'
            ? new ReducingStateDescriptor<number>(name, (a, b) => a * 31 + b)
            : new AggregatingStateDescriptor(name, sumAgg);
  if (ttl) {
    // NeverReturnExpired: expired entries are invisible whether or not cleanup removed them yet.
    // Only one kind refreshes on read, so that reads elsewhere do not mask lost timestamps.
    d.enableTimeToLive(
      StateTtlConfig.newBuilder(TTL)
        .setUpdateType(kind === 'aggregating' ? TtlUpdateType.OnReadAndWrite : TtlUpdateType.OnCreateAndWrite)
        .cleanupIncrementally(2, kind === 'list' || kind === 'value')
        .build(),
    );
  }
  return d;
}

type Op =
  | { op: 'key'; key: number }
  | { op: 'ns'; state: number; ns: number }
  | { op: 'advance'; ms: number }
  | { op: 'record' }
  | { op: 'rescale'; parallelism: number }
  | { op: 'keys'; state: number; ns: number }
  | { op: 'state'; state: number; action: number; a: number; b: number };

const STATES = KINDS.flatMap((kind) => [false, true].map((ttl) => ({ kind, ttl })));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('key' as const), key: fc.nat(KEYS.length - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('ns' as const),
      state: fc.nat(STATES.length - 1),
      ns: fc.nat(NAMESPACES.length - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 30 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('record' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('rescale' as const),
      parallelism: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('keys' as const),
      state: fc.nat(STATES.length - 1),
      ns: fc.nat(NAMESPACES.length - 1),
    }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('state' as const),
      state: fc.nat(STATES.length - 1),
      action: fc.nat(9),
      a: fc.integer({ min: -5, max: 20 }),
      b: fc.nat(3),
    }),
  },
);

/** Executes operations against one or more backends, routing each key to the instance owning it. */
class Runner {
  readonly clock = new ManualClock(10_000);
  private backends: HeapKeyedStateBackend<unknown>[];
  private key: unknown = KEYS[0];
  private readonly namespaces: Namespace[] = STATES.map(() => '');
  readonly log: unknown[] = [];

  constructor(private readonly rescales: boolean) {
    this.backends = [newBackend<unknown>(this.clock, MAX_P)];
  }

  private owner(): HeapKeyedStateBackend<unknown> {
    return this.backends[assignKeyToParallelOperator(this.key, MAX_P, this.backends.length)]!;
  }

  private handle(index: number): any {
    const backend = this.owner();
    backend.setCurrentKey(this.key);
    const { kind, ttl } = STATES[index]!;
    const state = backend.getOrCreateKeyedState(descriptor(kind, ttl)) as any;
    state.setCurrentNamespace(this.namespaces[index]!);
    return state;
  }

  run(op: Op): void {
    switch (op.op) {
      case 'key':
        this.key = KEYS[op.key];
        return;
      case 'ns':
        this.namespaces[op.state] = NAMESPACES[op.ns]!;
        return;
      case 'advance':
        this.clock.advance(op.ms);
        return;
      case 'record':
        for (const b of this.backends) b.onRecordProcessed();
        return;
      case 'rescale': {
        if (!this.rescales) return;
        const snapshots = this.backends.map((b) => b.snapshot());
        this.backends = Array.from({ length: op.parallelism }, (_, i) => {
          const b = newBackend<unknown>(this.clock, MAX_P, op.parallelism, i);
          b.restore(snapshots);
          return b;
        });
        return;
      }
      case 'keys': {
        const { kind, ttl } = STATES[op.state]!;
        // Expired but not yet cleaned keys are listed too, so only states without TTL compare.
        if (ttl) return;
        const name = descriptor(kind, ttl).name;
        const keys = this.backends.flatMap((b) => [...b.getKeys(name, NAMESPACES[op.ns]!)]);
        this.log.push(['keys', keys.map((k) => String(normalizeKey(k))).sort()]);
        return;
      }
      case 'state':
        this.log.push(this.stateOp(op.state, op.action, op.a, op.b));
        return;
    }
  }

  private stateOp(index: number, action: number, a: number, b: number): unknown {
    const { kind } = STATES[index]!;
    const state = this.handle(index);
    const other = NAMESPACES[b % NAMESPACES.length]!;
    const target = NAMESPACES[(b + 1) % NAMESPACES.length]!;
    switch (kind) {
      case 'value': {
        const s = state as ValueState<number>;
        if (action < 4) s.update(a);
        else if (action < 8) return ['value', s.value()];
        else s.clear();
        return ['ok'];
      }
      case 'list': {
        const s = merging(state as ListState<number>);
        if (action < 3) s.add(a);
        else if (action < 4) s.addAll([a, b]);
        else if (action < 5) s.update(b === 0 ? [] : [a]);
        else if (action < 8) return ['list', [...s.get()]];
        else if (action < 9) s.mergeNamespaces(target, [other]);
        else s.clear();
        return ['ok'];
      }
      case 'map': {
        const s = state as MapState<unknown, number>;
        const uk = KEYS[b % KEYS.length];
        if (action < 3) s.put(uk, a);
        else if (action < 4) s.remove(uk);
        else if (action < 5) return ['get', s.get(uk), s.contains(uk)];
        else if (action < 7) return ['entries', [...s.entries()]];
        else if (action < 8) return ['isEmpty', s.isEmpty(), [...s.keys()], [...s.values()]];
        else if (action < 9) s.putAll([[uk, a]]);
        else s.clear();
        return ['ok'];
      }
      case 'reducing':
      case 'aggregating': {
        const s = merging(state as ReducingState<number> | AggregatingState<number, string>);
        if (action < 4) s.add(a);
        else if (action < 7) return [kind, s.get()];
        else if (action < 9) s.mergeNamespaces(target, [other, NAMESPACES[0]!]);
        else s.clear();
        return ['ok'];
      }
    }
  }
}

describe('keyed state: snapshot/restore is invisible', () => {
  it('a run with snapshot -> restore (and rescaling) observes the same as an uninterrupted run', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 150 }), (ops) => {
        const plain = new Runner(false);
        const restored = new Runner(true);
        for (const op of ops) {
          plain.run(op);
          restored.run(op);
        }
        // A final rescale and full read-out catches state that was never read back; the second
        // read-out, just before the newest entries expire, catches lost TTL timestamps.
        restored.run({ op: 'rescale', parallelism: 2 });
        for (const r of [plain, restored]) readOut(r);
        for (const r of [plain, restored]) {
          r.run({ op: 'advance', ms: TTL - 1 });
          readOut(r);
        }
        expect(restored.log).toEqual(plain.log);
      }),
      { numRuns: 100 },
    );
  });
});

function readOut(r: Runner): void {
  for (let key = 0; key < KEYS.length; key++) {
    r.run({ op: 'key', key });
    for (let state = 0; state < STATES.length; state++) {
      for (let ns = 0; ns < NAMESPACES.length; ns++) {
        r.run({ op: 'ns', state, ns });
        r.run({ op: 'state', state, action: 5, a: 0, b: 0 }); // a read for most kinds
        r.run({ op: 'state', state, action: 6, a: 0, b: 0 });
      }
    }
  }
}
