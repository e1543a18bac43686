import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../src/core/connectors/kafka/index.js';
import { type RoutedEvent, routeKeyOf, validateRule } from '../../../src/rules/index.js';
import { RoutedEventCodec } from '../../../src/service/pipeline/routed-event-codec.js';

const ruleJson = (version: number) => ({
  id: 'r1',
  version,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'a', condition: 'e.type == "a"' }],
  alert: { severity: 'low', message: 'm' },
});
const rule = (version: number) => {
  const v = validateRule(ruleJson(version));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
};

/** The record a consumer would read back for a produced message. */
function asRecord(m: ReturnType<RoutedEventCodec['encode']>, offset: number): KafkaRecord {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = Buffer.from(v);
  return {
    topic: 'routed',
    partition: 0,
    offset,
    timestamp: 0,
    key: Buffer.from(String(m.key)),
    value: Buffer.from(String(m.value)),
    headers,
  };
}

describe('RoutedEventCodec', () => {
  it('round-trips routed events, with fields that look like its own framing, across rule versions', () => {
    const writer = new RoutedEventCodec();
    const reader = new RoutedEventCodec();
    const event = { type: 'a', ts: 1, user: 'ann', rule: { x: ',"rule":' }, note: '"key":' };
    const routed: RoutedEvent[] = [
      { rule: rule(1), key: '[["user","ann"]]', event },
      { rule: rule(1), key: '[["user","bob"]]', event: { ...event, user: 'bob' } },
      { rule: rule(2), key: '[["user","ann"]]', event },
    ];
    routed.forEach((r, i) => {
      const m = writer.encode(r);
      expect(m.key).toBe(routeKeyOf(r));
      const back = reader.decode(asRecord(m, i));
      expect(back).toEqual(r);
    });
  });

  it('refuses a record without its rule header (the runner dead-letters it)', () => {
    const m = new RoutedEventCodec().encode({ rule: rule(1), key: 'k', event: { type: 'a', ts: 1 } });
    const record = { ...asRecord(m, 0), headers: {} };
    expect(() => new RoutedEventCodec().decode(record)).toThrow(/rule header/);
  });
});
