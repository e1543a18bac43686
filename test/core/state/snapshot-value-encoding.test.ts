import { describe, expect, it } from 'vitest';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import { JsonSerializer, StructuredCloneSerializer } from '../../../src/core/state/type-serializer.js';
import { ManualClock, newBackend } from './helpers.js';

/**
 * Snapshots keep values of structured-clone states as they are (one serialization per key group)
 * and other serializers' values as bytes; values kept as they are restore into any descriptor.
 */
describe('snapshot value encoding', () => {
  const serializers = { clone: StructuredCloneSerializer.INSTANCE, json: JsonSerializer.INSTANCE };

  for (const [from, fromSerializer] of Object.entries(serializers)) {
    for (const [to, toSerializer] of Object.entries(serializers)) {
      // Bytes of one serializer are not readable by another (no state migration, as in Flink).
      if (from === 'json' && to === 'clone') continue;
      it(`values written with ${from} restore with ${to}, registered before or after the restore`, () => {
        const source = newBackend<string>(new ManualClock(), 16, 1, 0);
        const v = source.getOrCreateKeyedState(new ValueStateDescriptor<{ n: number }>('v', fromSerializer));
        const l = source.getOrCreateKeyedState(new ListStateDescriptor<string>('l', fromSerializer));
        const m = source.getOrCreateKeyedState(new MapStateDescriptor<string, number[]>('m', fromSerializer));
        for (const key of ['a', 'b', 'c']) {
          source.setCurrentKey(key);
          v.update({ n: key.charCodeAt(0) });
          l.addAll([`${key}1`, `${key}2`]);
          m.put('xs', [1, 2, key.length]);
        }
        const snapshot = source.snapshot();
        for (const registerFirst of [true, false]) {
          const target = newBackend<string>(new ManualClock(), 16, 1, 0);
          const descriptors = () => ({
            v: new ValueStateDescriptor<{ n: number }>('v', toSerializer),
            l: new ListStateDescriptor<string>('l', toSerializer),
            m: new MapStateDescriptor<string, number[]>('m', toSerializer),
          });
          if (registerFirst) {
            const d = descriptors();
            target.getOrCreateKeyedState(d.v);
            target.getOrCreateKeyedState(d.l);
            target.getOrCreateKeyedState(d.m);
          }
          target.restore([snapshot]);
          // Not registered yet: the pending entries survive another snapshot as they came.
          const again = registerFirst ? target : newBackend<string>(new ManualClock(), 16, 1, 0);
          if (!registerFirst) again.restore([target.snapshot()]);
          const d = descriptors();
          const v2 = again.getOrCreateKeyedState(d.v);
          const l2 = again.getOrCreateKeyedState(d.l);
          const m2 = again.getOrCreateKeyedState(d.m);
          for (const key of ['a', 'b', 'c']) {
            again.setCurrentKey(key);
            expect(v2.value()).toEqual({ n: key.charCodeAt(0) });
            expect([...l2.get()]).toEqual([`${key}1`, `${key}2`]);
            expect(m2.get('xs')).toEqual([1, 2, key.length]);
          }
        }
      });
    }
  }
});
