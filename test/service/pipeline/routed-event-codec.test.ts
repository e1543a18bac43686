import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../src/core/connectors/kafka/index.js';
import type { GroupedEvent } from '../../../src/rules/index.js';
import { RoutedEventCodec } from '../../../src/service/pipeline/routed-event-codec.js';

/** The record a consumer would read back for a produced message. */
function asRecord(m: ReturnType<RoutedEventCodec['encode']>, offset: number): KafkaRecord {
  return {
    topic: 'routed',
    partition: 0,
    offset,
    timestamp: 0,
    key: Buffer.from(String(m.key)),
    value: Buffer.from(String(m.value)),
    headers: {},
  };
}

describe('RoutedEventCodec', () => {
  it('round-trips grouped events with rule references, fields that look like its own framing and odd names', () => {
    const writer = new RoutedEventCodec();
    const reader = new RoutedEventCodec();
    const event = { type: 'a', ts: 1, user: 'ann', refs: { x: ',"refs":[' }, note: '"key":', constructor: 1 };
    const grouped: GroupedEvent[] = [
      {
        key: '[["user","ann"]]',
        event,
        refs: [
          { id: 'r1', version: 1 },
          { id: 'r2', version: 7 },
        ],
      },
      { key: '[["card","4111"]]', event, refs: [] },
      { key: '[["user","bob"]]', event: { ...event, user: 'bob' }, refs: [{ id: 'r1', version: 2 }] },
    ];
    grouped.forEach((g, i) => {
      const m = writer.encode(g);
      expect(m.key).toBe(g.key);
      expect(String(m.value)).not.toContain('"stages"'); // references, never rule bodies
      expect(reader.decode(asRecord(m, i))).toEqual(g);
    });
    // The same (id, version) decodes to the same object, which the evaluator resolves by identity.
    const a = reader.decode(asRecord(writer.encode(grouped[0]!), 10)).refs;
    const b = reader.decode(asRecord(writer.encode(grouped[0]!), 11)).refs;
    expect(b[0]).toBe(a[0]);
    expect(b[1]).toBe(a[1]);
    expect(reader.decode(asRecord(writer.encode(grouped[2]!), 12)).refs[0]).not.toBe(a[0]); // r1 v2, not v1
  });

  it('refuses malformed records (the runner dead-letters them)', () => {
    const record = (value: string) => ({ ...asRecord({ key: 'k', value }, 0) });
    const codec = new RoutedEventCodec();
    expect(() => codec.decode(record('{"key":"k","event":{"type":"a"}}'))).toThrow(/malformed/);
    expect(() => codec.decode(record('{"key":"k","refs":[["r",null]],"event":{"type":"a"}}'))).toThrow(
      /malformed/,
    );
    expect(() => codec.decode(record('null'))).toThrow(/malformed/);
  });
});
