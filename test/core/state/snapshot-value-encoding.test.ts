import { describe, expect, it } from 'vitest';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/core/state/state-descriptor.js';
import {
  JsonSerializer,
  StructuredCloneSerializer,
  type TypeSerializer,
} from '../../../src/core/state/type-serializer.js';
import { ManualClock, newBackend } from './helpers.js';

/** JSON bytes, and a plain form of its own (`{ wrapped }`): snapshots keep the plain form. */
class PlainFormSerializer implements TypeSerializer<unknown> {
  toCloneableCalls = 0;
  serializeCalls = 0;
  serialize(value: unknown): Uint8Array {
    this.serializeCalls++;
    return JsonSerializer.INSTANCE.serialize(value);
  }
  deserialize(bytes: Uint8Array): unknown {
    return JsonSerializer.INSTANCE.deserialize(bytes);
  }
  toCloneable(value: unknown): unknown {
    this.toCloneableCalls++;
    return { wrapped: value };
  }
  fromCloneable(data: unknown): unknown {
    return (data as { wrapped: unknown }).wrapped;
  }
}

/**
 * Snapshots keep values of structured-clone states as they are (one serialization per key group),
 * values of serializers with a plain form (`toCloneable`) as that form, and other serializers'
 * values as bytes; values kept as they are restore into any descriptor.
 */
describe('snapshot value encoding', () => {
  const serializers = {
    clone: StructuredCloneSerializer.INSTANCE,
    json: JsonSerializer.INSTANCE,
    plain: new PlainFormSerializer(),
  };

  it('a serializer with a plain form is asked for it once per value and never for bytes', () => {
    const serializer = new PlainFormSerializer();
    const backend = newBackend<string>(new ManualClock(), 16, 1, 0);
    const v = backend.getOrCreateKeyedState(new ValueStateDescriptor<unknown>('v', serializer as never));
    const l = backend.getOrCreateKeyedState(new ListStateDescriptor<unknown>('l', serializer as never));
    for (const key of ['a', 'b']) {
      backend.setCurrentKey(key);
      v.update({ key });
      l.addAll([1, 2]);
    }
    const snapshot = backend.snapshot();
    expect(serializer.toCloneableCalls).toBe(6);
    expect(serializer.serializeCalls).toBe(0);
    const target = newBackend<string>(new ManualClock(), 16, 1, 0);
    target.restore([snapshot]);
    const v2 = target.getOrCreateKeyedState(new ValueStateDescriptor<unknown>('v', serializer as never));
    const l2 = target.getOrCreateKeyedState(new ListStateDescriptor<unknown>('l', serializer as never));
    target.setCurrentKey('b');
    expect(v2.value()).toEqual({ key: 'b' });
    expect([...l2.get()]).toEqual([1, 2]);
  });

  for (const [from, fromSerializer] of Object.entries(serializers)) {
    for (const [to, toSerializer] of Object.entries(serializers)) {
      // Bytes of one serializer are not readable by another (no state migration, as in Flink); a
      // plain form is its serializer's own.
      if (from === 'json' && to === 'clone') continue;
      if ((from === 'plain') !== (to === 'plain') && !(from === 'json' && to === 'plain')) continue;
      it(`values written with ${from} restore with ${to}, registered before or after the restore`, () => {
        const source = newBackend<string>(new ManualClock(), 16, 1, 0);
        const f = fromSerializer as TypeSerializer<never>;
        const v = source.getOrCreateKeyedState(new ValueStateDescriptor<{ n: number }>('v', f));
        const l = source.getOrCreateKeyedState(new ListStateDescriptor<string>('l', f));
        const m = source.getOrCreateKeyedState(new MapStateDescriptor<string, number[]>('m', f));
        for (const key of ['a', 'b', 'c']) {
          source.setCurrentKey(key);
          v.update({ n: key.charCodeAt(0) });
          l.addAll([`${key}1`, `${key}2`]);
          m.put('xs', [1, 2, key.length]);
        }
        const snapshot = source.snapshot();
        for (const registerFirst of [true, false]) {
          const target = newBackend<string>(new ManualClock(), 16, 1, 0);
          const t = toSerializer as TypeSerializer<never>;
          const descriptors = () => ({
            v: new ValueStateDescriptor<{ n: number }>('v', t),
            l: new ListStateDescriptor<string>('l', t),
            m: new MapStateDescriptor<string, number[]>('m', t),
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
