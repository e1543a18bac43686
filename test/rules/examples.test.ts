import { describe, expect, it } from 'vitest';
import { DAY, ev, HOUR, loadExample, MIN, runRules, T0 } from './helpers.js';

// Each example rule of rules/ in the real engine (router + DynamicCEP + threshold evaluator),
// fed events that must alert and events that must not.

describe('rules/failed-logins-then-success.json', () => {
  const rule = loadExample('failed-logins-then-success');

  it('alerts on 3 failures then a success within 5 minutes, once', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login_failed', 0, { user: 'ann', ip: '10.0.0.1' }),
        ev('login_failed', 30, { user: 'ann', ip: '10.0.0.1' }),
        ev('login_failed', 60, { user: 'bob', ip: '10.0.0.7' }),
        ev('login_failed', 90, { user: 'ann', ip: '10.0.0.1' }),
        ev('login_failed', 100, { user: 'ann', ip: '10.0.0.1' }),
        ev('login_success', 120, { user: 'ann', ip: '10.0.0.9' }),
      ],
    );
    expect(alerts.map((a) => [a.ruleId, a.key, a.severity, a.message])).toEqual([
      [
        'failed-logins-then-success',
        '[["user","ann"]]',
        'high',
        '4 failed logins then a success for user=ann from 10.0.0.9',
      ],
    ]);
    expect(alerts[0]!.fields).toEqual({ user: 'ann', ip: '10.0.0.9' });
    expect(alerts[0]!.stages.failures).toHaveLength(4);
  });

  it('does not alert with 2 failures, a success later than 5 minutes, or failures split by a success', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login_failed', 0, { user: 'ann' }),
        ev('login_failed', 10, { user: 'ann' }),
        ev('login_success', 20, { user: 'ann' }),
        ev('login_failed', 1000, { user: 'bob' }),
        ev('login_failed', 1010, { user: 'bob' }),
        ev('login_failed', 1020, { user: 'bob' }),
        ev('login_success', 1000 + 5 * MIN + 1, { user: 'bob' }),
        ev('login_failed', 2000, { user: 'cid' }),
        ev('login_failed', 2010, { user: 'cid' }),
        ev('login_success', 2020, { user: 'cid' }),
        ev('login_failed', 2030, { user: 'cid' }),
        ev('login_success', 2040, { user: 'cid' }),
      ],
    );
    expect(alerts).toEqual([]);
  });
});

describe('rules/card-testing.json', () => {
  const rule = loadExample('card-testing');

  it('alerts on 3 small payments then a large one within 10 minutes', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('payment', 0, { card: 'c1', amount: 1, merchant: 'm0' }),
        ev('payment', 60, { card: 'c1', amount: 2.5, merchant: 'm0' }),
        ev('payment', 61, { card: 'c2', amount: 900, merchant: 'm9' }),
        ev('payment', 120, { card: 'c1', amount: 0.5, merchant: 'm0' }),
        ev('payment', 500, { card: 'c1', amount: 950, merchant: 'shop' }),
      ],
    );
    expect(alerts.map((a) => a.message)).toEqual(['card c1: 3 small payments then 950 at shop']);
    expect(alerts[0]!.severity).toBe('critical');
    expect(alerts[0]!.eventTimeEnd - alerts[0]!.eventTimeStart).toBe(500_000);
  });

  it('does not alert on 2 small payments, too late, or a large one not 40x the small ones', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('payment', 0, { card: 'c1', amount: 1 }),
        ev('payment', 10, { card: 'c1', amount: 1 }),
        ev('payment', 20, { card: 'c1', amount: 900 }),
        ev('payment', 1000, { card: 'c2', amount: 1 }),
        ev('payment', 1010, { card: 'c2', amount: 1 }),
        ev('payment', 1020, { card: 'c2', amount: 1 }),
        ev('payment', 1000 + 10 * MIN + 1, { card: 'c2', amount: 900 }),
        ev('payment', 3000, { card: 'c3', amount: 4.9 }),
        ev('payment', 3010, { card: 'c3', amount: 4.9 }),
        ev('payment', 3020, { card: 'c3', amount: 4.9 }),
        ev('payment', 3030, { card: 'c3', amount: 195 }),
      ],
    );
    expect(alerts).toEqual([]);
  });
});

describe('rules/impossible-travel.json', () => {
  const rule = loadExample('impossible-travel');

  it('alerts on logins from two countries within an hour', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login', 0, { user: 'ann', country: 'FR' }),
        ev('login', 600, { user: 'ann', country: 'FR' }),
        ev('login', 1800, { user: 'ann', country: 'BR' }),
      ],
    );
    expect(alerts.map((a) => a.message)).toEqual(['user=ann logged in from FR then BR within an hour']);
  });

  it('does not alert on the same country, different users, or more than an hour apart', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login', 0, { user: 'ann', country: 'FR' }),
        ev('login', 100, { user: 'bob', country: 'US' }),
        ev('login', 200, { user: 'ann', country: 'FR' }),
        ev('login', 5000, { user: 'cid', country: 'DE' }),
        ev('login', 5000 + HOUR + 1, { user: 'cid', country: 'JP' }),
      ],
    );
    expect(alerts).toEqual([]);
  });
});

describe('rules/transfer-velocity.json', () => {
  const rule = loadExample('transfer-velocity');

  it('alerts when transfers over 24 h pass 10000 (each sliding window holding them)', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('transfer', 10 * HOUR, { account: 'a1', amount: 6000 }),
        ev('payment', 11 * HOUR, { account: 'a1', amount: 50000 }),
        ev('transfer', 20 * HOUR + 30 * MIN, { account: 'a1', amount: 4500 }),
      ],
    );
    // {6000, 4500} share the windows starting from 20:00 the day before (ending at 20:00 + 1 h
    // inclusive of 20:30) up to 10:00 (the last one holding the 10:00 transfer): 14 windows.
    expect(alerts.length).toBe(14);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(14);
    expect(alerts.every((a) => a.kind === 'threshold' && a.value === 10500 && a.count === 2)).toBe(true);
    expect(alerts[0]!.message).toBe('10500 transferred from account=a1 in 24 hours (2 transfers)');
    expect(alerts.every((a) => a.eventTimeEnd - a.eventTimeStart === DAY * 1000)).toBe(true);
  });

  it('does not alert at 10000 or when transfers are more than 24 h apart', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('transfer', 0, { account: 'a1', amount: 6000 }),
        ev('transfer', 100, { account: 'a1', amount: 4000 }),
        ev('transfer', 0, { account: 'a2', amount: 9000 }),
        ev('transfer', DAY + HOUR, { account: 'a2', amount: 9000 }),
      ].sort((a, b) => (a.ts as number) - (b.ts as number)),
    );
    expect(alerts).toEqual([]);
  });
});

describe('rules/account-takeover.json', () => {
  const rule = loadExample('account-takeover');

  it('alerts on password change, new-device login, payout', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('password_change', 0, { user: 'ann', device: 'd1' }),
        ev('login', 100, { user: 'ann', device: 'd1' }),
        ev('login', 200, { user: 'ann', device: 'd666' }),
        ev('payout', 300, { user: 'ann', amount: 2500 }),
      ],
    );
    expect(alerts.map((a) => a.message)).toEqual([
      'user=ann: password changed, login from new device d666, payout of 2500',
    ]);
    expect(alerts[0]!.fields).toEqual({ user: 'ann', device: 'd666', amount: 2500 });
  });

  it('does not alert when the login is from the same device, or the order differs', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('password_change', 0, { user: 'ann', device: 'd1' }),
        ev('login', 100, { user: 'ann', device: 'd1' }),
        ev('payout', 300, { user: 'ann', amount: 2500 }),
        ev('login', 400, { user: 'bob', device: 'd9' }),
        ev('password_change', 500, { user: 'bob', device: 'd1' }),
        ev('payout', 600, { user: 'bob', amount: 10 }),
      ],
    );
    expect(alerts).toEqual([]);
  });
});

describe('rules/dormant-account.json', () => {
  const rule = loadExample('dormant-account');

  it('alerts by time alone when no activity follows a login within 30 days', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login', 0, { account: 'a1' }),
        ev('login', 10, { account: 'a2' }),
        ev('activity', 20 * DAY, { account: 'a2' }),
        // Only moves event time past 30 days; a3 logs in but its 30 days are not over.
        ev('login', 31 * DAY, { account: 'a3' }),
      ],
    );
    // a3's timeout fires at the end of input (event time flushes to +inf when the input ends).
    expect(alerts.map((a) => [a.key, a.eventTimeStart, Object.keys(a.stages)])).toEqual([
      ['[["account","a1"]]', T0, ['login']],
      ['[["account","a3"]]', T0 + 31 * DAY * 1000, ['login']],
    ]);
    expect(alerts.map((a) => a.severity)).toEqual(['low', 'low']);
    expect(alerts[0]!.message).toBe(`account=a1 dormant: no activity within 30 days of the login at ${T0}`);
  });

  it('does not alert when activity follows within 30 days', async () => {
    const { alerts } = await runRules(
      [rule],
      [
        ev('login', 0, { account: 'a1' }),
        ev('activity', 29 * DAY, { account: 'a1' }),
        ev('tick', 60 * DAY, { account: 'zz' }),
      ],
    );
    expect(alerts).toEqual([]);
  });
});
