import { describe, expect, it } from 'vitest';
import type { PatternRule } from '../../src/rules/index.js';
import { deferSpecOf, dueOf, endOf, fromOf, pruneLog, type StartLog } from '../../src/rules/start-log.js';
import { validated } from '../util/crash-workload.js';

const base = {
  id: 'r',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  within: 'PT1M',
  alert: { severity: 'low', message: 'm' },
};
const login = { name: 'login', condition: 'e.type == "login" && e.newDevice == true' };
const payout = {
  name: 'payout',
  contiguity: 'followedBy',
  condition: 'e.type == "payout" && e.amount > 500.0',
};
const rule = (over: Record<string, unknown>): PatternRule =>
  validated({ ...base, stages: [login, payout], ...over }) as PatternRule;

describe('deferSpecOf', () => {
  it('defers a relaxed sequence with a guarded first stage and a within', () => {
    const d = deferSpecOf(rule({}), false);
    expect(d).toMatchObject({ source: login.condition, life: 60_000 });
    expect(d?.next?.map((r) => r.field)).toEqual(expect.arrayContaining(['type']));
  });

  it("takes the second stage's shorter withinPrevious as the life of a start", () => {
    const d = deferSpecOf(rule({ stages: [login, { ...payout, withinPrevious: 'PT10S' }] }), false);
    expect(d?.life).toBe(10_000);
  });

  it('lets any event build the state when the second stage has no requirements', () => {
    expect(
      deferSpecOf(rule({ stages: [login, { name: 'any', contiguity: 'followedByAny' }] }), false)?.next,
    ).toBe(undefined);
  });

  it('does not defer what a start alone could change, or what has no bound in time', () => {
    const { within: _within, ...noWithin } = base;
    const cases: PatternRule[] = [
      validated({ ...noWithin, stages: [login, payout] }) as PatternRule,
      rule({ timeoutAlert: { severity: 'low', message: 't' } }),
      rule({ stages: [login, { ...payout, contiguity: 'next' }] }),
      rule({
        stages: [
          login,
          { ...payout, contiguity: 'notFollowedBy' },
          { name: 'c', condition: 'e.type == "c"' },
        ],
      }),
      rule({ stages: [{ ...login, quantifier: { type: 'oneOrMore' } }, payout] }),
      rule({ stages: [login, { ...payout, optional: true }, { name: 'c', condition: 'e.type == "c"' }] }),
      rule({ stages: [{ name: 'any' }, payout] }),
      rule({ stages: [login] }),
      rule({ stages: [{ group: [login, payout] }, { name: 'c', condition: 'e.type == "c"' }] }),
    ];
    for (const r of cases) expect(deferSpecOf(r, false), JSON.stringify(r.stages)).toBeUndefined();
    expect(deferSpecOf(rule({}), true)).toBeUndefined(); // strict
  });
});

describe('StartLog', () => {
  const log = (): StartLog => ({
    b: 0,
    ts: [1000, 2000, 3000],
    ev: [{ type: 'a' }, { type: 'b' }, { type: 'c' }],
    keep: 1500,
    m: new Map([['r1', 1]]),
  });

  it('numbers entries from b, and a rule builds on its mark or on every entry', () => {
    const l = log();
    expect(endOf(l)).toBe(3);
    expect(fromOf(l, 'r1')).toBe(1);
    expect(fromOf(l, 'r2')).toBe(0);
  });

  it('drops the entries every rule timed out, keeps numbering, and forgets marks behind the first entry', () => {
    const l = log();
    expect(dueOf(l)).toBe(2500);
    expect(pruneLog(l, 2499)).toBe(true);
    expect(l.ts).toEqual([1000, 2000, 3000]);
    expect(pruneLog(l, 3500)).toBe(true);
    expect(l).toMatchObject({ b: 2, ts: [3000], ev: [{ type: 'c' }], m: undefined });
    expect(fromOf(l, 'r1')).toBe(2);
    expect(dueOf(l)).toBe(4500);
    expect(pruneLog(l, 4500)).toBe(false);
    expect(dueOf(l)).toBeUndefined();
  });
});
