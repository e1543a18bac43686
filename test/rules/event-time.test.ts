import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventJson } from '../../src/rules/index.js';

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const clock = () => NOW;

describe('parseEvent: ISO-8601 timestamps name a real time', () => {
  it.each([
    ['2026-01-01T10:00:00Z', Date.UTC(2026, 0, 1, 10)],
    ['2026-01-01T10:00Z', Date.UTC(2026, 0, 1, 10)],
    ['2026-01-01T10:00:00.1Z', Date.UTC(2026, 0, 1, 10, 0, 0, 100)],
    ['2026-01-01T10:00:00.123456Z', Date.UTC(2026, 0, 1, 10, 0, 0, 123)],
    ['2026-01-01T00:00:00.250+01:00', Date.UTC(2025, 11, 31, 23, 0, 0, 250)],
    ['2026-01-01T23:30:00-05:30', Date.UTC(2026, 0, 2, 5, 0)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2026-12-31T23:59:59.999Z', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
    ['1970-01-01T00:00:00Z', 0],
  ])('%s is %d', (ts, ms) => {
    expect(parseEvent({ type: 'x', ts })).toEqual({ ok: true, event: { type: 'x', ts: ms } });
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2026-02-29T10:00:00Z',
    '1900-02-29T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-00-10T10:00:00Z',
    '2026-01-00T10:00:00Z',
    '2026-01-01T24:00:01Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:60:00Z',
    '2026-01-01T10:00:60Z',
    '2026-01-01T10:00:00+24:00',
    '2026-01-01T10:00:00+01:60',
  ])('%s is refused, not rolled over', (ts) => {
    expect(parseEvent({ type: 'x', ts })).toEqual({
      ok: false,
      reason: `ts "${ts}" is not a time on the calendar (no such day, hour, minute, second or offset)`,
    });
  });

  it.each([
    '2026-01-01T10Z',
    '2026-01-01 10:00:00Z',
    '2026-1-1T10:00:00Z',
    '2026-01-01T10:00:00',
    '2026-01-01T10:00:00+0100',
    '2026-01-01T10:00:00.Z',
    '1969-12-31T23:59:59Z',
    '0070-01-01T00:00:00Z',
    '1970-01-01T00:30:00+01:00',
  ])('%s is not an accepted form or is before 1970', (ts) => {
    expect(parseEvent({ type: 'x', ts })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^ts must be epoch milliseconds/),
    });
  });
});

describe('parseEvent: maxAheadMs', () => {
  const opts = { maxAheadMs: 300_000, now: clock };

  it('refuses a timestamp more than maxAheadMs ahead of the wall clock, naming it', () => {
    expect(parseEvent({ type: 'heartbeat', ts: '2100-01-01T00:00:00Z' }, opts)).toEqual({
      ok: false,
      reason: 'ts is 2100-01-01T00:00:00.000Z, more than 300000 ms ahead of the wall clock',
    });
    expect(parseEvent({ type: 'x', ts: NOW + 300_001 }, opts)).toEqual({
      ok: false,
      reason: `ts is ${new Date(NOW + 300_001).toISOString()}, more than 300000 ms ahead of the wall clock`,
    });
    expect(parseEvent({ type: 'x', at: NOW + 400_000 }, { ...opts, timestampField: 'at' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^at is .* ahead of the wall clock$/),
    });
    expect(parseEventJson('{"type":"x","ts":4102444800000}', opts)).toMatchObject({ ok: false });
  });

  it('accepts up to maxAheadMs ahead, and any past time', () => {
    for (const ts of [NOW + 300_000, NOW + 1, NOW, NOW - 86_400_000, 0]) {
      expect(parseEvent({ type: 'x', ts }, opts)).toEqual({ ok: true, event: { type: 'x', ts } });
    }
  });

  it('uses Date.now without a clock, and checks nothing without maxAheadMs', () => {
    expect(parseEvent({ type: 'x', ts: Date.now() + 60_000 }, { maxAheadMs: 300_000 }).ok).toBe(true);
    expect(parseEvent({ type: 'x', ts: Date.now() + 600_000 }, { maxAheadMs: 300_000 }).ok).toBe(false);
    expect(parseEvent({ type: 'x', ts: '2100-01-01T00:00:00Z' }).ok).toBe(true);
  });
});
