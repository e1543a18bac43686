/**
 * Throughput of the heap keyed state backend on its hot path: a keyed counter
 * (`setCurrentKey` + `ValueState.value()` + `update()`) over 1e6 records and 10k keys.
 *
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/state-backend.js`
 */
import { HeapKeyedStateBackend } from '../src/core/state/heap-keyed-state-backend.js';
import { KeyGroupRange } from '../src/core/state/key-groups.js';
import { ValueStateDescriptor } from '../src/core/state/state-descriptor.js';
import { StateTtlConfig } from '../src/core/state/state-ttl-config.js';

const OPS = 1_000_000;
const KEYS = 10_000;
const ROUNDS = 5;

function backend(): HeapKeyedStateBackend<unknown> {
  return new HeapKeyedStateBackend<unknown>({
    maxParallelism: 128,
    keyGroupRange: KeyGroupRange.forOperatorIndex(128, 1, 0),
    clock: { now: () => Date.now() },
  });
}

function counter(label: string, keys: unknown[], descriptor: ValueStateDescriptor<number>): void {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const b = backend();
    const count = b.getOrCreateKeyedState(descriptor);
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) {
      b.setCurrentKey(keys[i % KEYS]);
      count.update(count.value()! + 1);
      b.onRecordProcessed();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (b.numKeys() !== KEYS) throw new Error('wrong key count');
    best = Math.max(best, OPS / seconds);
  }
  console.log(
    `${label.padEnd(40)} ${Math.round(best).toLocaleString('en-US').padStart(14)} ops/s (best of ${ROUNDS})`,
  );
}

const stringKeys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const numberKeys = Array.from({ length: KEYS }, (_, i) => i * 7919);
const compositeKeys = Array.from({ length: KEYS }, (_, i) => [`user-${i % 100}`, i]);
const ttl = StateTtlConfig.newBuilder(60_000).cleanupIncrementally(5, true).build();

console.log(
  `keyed ValueState counter, ${OPS.toLocaleString('en-US')} ops over ${KEYS.toLocaleString('en-US')} keys`,
);
counter('string keys', stringKeys, new ValueStateDescriptor<number>('count', undefined, 0));
counter('number keys', numberKeys, new ValueStateDescriptor<number>('count', undefined, 0));
counter(
  'composite [string, number] keys',
  compositeKeys,
  new ValueStateDescriptor<number>('count', undefined, 0),
);
counter(
  'string keys, TTL + per-record cleanup',
  stringKeys,
  new ValueStateDescriptor<number>('count', undefined, 0).enableTimeToLive(ttl),
);
