import { describe, expect, it } from 'vitest';
import {
  groupingKeyOf,
  parseEvent,
  parseEventJson,
  type Rule,
  readFieldPath,
} from '../../src/rules/index.js';

describe('parseEvent', () => {
  it('accepts epoch ms or ISO-8601 with a zone, normalizing to epoch ms, without touching the input', () => {
    const input = { type: 'login', ts: '2026-01-01T00:00:00.250+01:00', user: 'ann' };
    expect(parseEvent(input)).toEqual({
      ok: true,
      event: { type: 'login', ts: Date.UTC(2025, 11, 31, 23, 0, 0, 250), user: 'ann' },
    });
    expect(input.ts).toBe('2026-01-01T00:00:00.250+01:00');
    expect(parseEvent({ type: 'x', ts: 5 })).toEqual({ ok: true, event: { type: 'x', ts: 5 } });
    expect(parseEvent({ type: 'x', at: 7 }, { timestampField: 'at' })).toEqual({
      ok: true,
      event: { type: 'x', at: 7 },
    });
  });

  it.each([
    [null, 'event must be a JSON object'],
    [[1], 'event must be a JSON object'],
    [{ ts: 1 }, 'type must be a non-empty string'],
    [{ type: '', ts: 1 }, 'type must be a non-empty string'],
    [{ type: 'x'.repeat(300), ts: 1 }, 'type must be at most 256 characters'],
    [{ type: 'x' }, 'ts is missing'],
    [{ type: 'x', ts: -1 }, /^ts must be epoch milliseconds/],
    [{ type: 'x', ts: 1.5 }, /^ts must be epoch milliseconds/],
    [{ type: 'x', ts: '2026-01-01T00:00:00' }, /^ts must be epoch milliseconds/],
    [{ type: 'x', ts: 'yesterday' }, /^ts must be epoch milliseconds/],
  ])('refuses %j with a reason', (input, reason) => {
    const r = parseEvent(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses deep nesting and oversized or invalid JSON text', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(parseEvent({ type: 'x', ts: 1, deep })).toEqual({
      ok: false,
      reason: 'event nests deeper than 16 levels',
    });
    expect(parseEventJson('{')).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid JSON/) });
    expect(parseEventJson(`{"type":"x","ts":1,"pad":"${'x'.repeat(70_000)}"}`)).toMatchObject({
      ok: false,
      reason: 'event is longer than 65536 characters',
    });
  });
});

describe('groupingKeyOf', () => {
  const rule = (key: string[]) => ({ key }) as unknown as Rule;

  it('is a stable string of field names and values, typed', () => {
    expect(groupingKeyOf(rule(['user']), { type: 'x', user: 'ann' })).toBe('[["user","ann"]]');
    expect(groupingKeyOf(rule(['card', 'device.id']), { type: 'x', card: 1, device: { id: 'd' } })).toBe(
      '[["card",1],["device.id","d"]]',
    );
    expect(groupingKeyOf(rule(['card']), { type: 'x', card: 1 })).not.toBe(
      groupingKeyOf(rule(['card']), { type: 'x', card: '1' }),
    );
    expect(groupingKeyOf(rule(['user']), { type: 'x', user: 'ann' })).not.toBe(
      groupingKeyOf(rule(['card']), { type: 'x', card: 'ann' }),
    );
  });

  it('is undefined when a field is missing, null, or not a scalar', () => {
    expect(groupingKeyOf(rule(['user']), { type: 'x' })).toBeUndefined();
    expect(groupingKeyOf(rule(['user']), { type: 'x', user: null })).toBeUndefined();
    expect(groupingKeyOf(rule(['user']), { type: 'x', user: { a: 1 } })).toBeUndefined();
    expect(groupingKeyOf(rule(['user', 'card']), { type: 'x', user: 'a' })).toBeUndefined();
  });

  it('never reads through prototypes', () => {
    expect(readFieldPath({}, 'constructor')).toBeUndefined();
    expect(readFieldPath({ a: 'x' }, 'a.length')).toBeUndefined();
    expect(readFieldPath({ a: [1] }, 'a.0')).toBeUndefined();
  });
});
