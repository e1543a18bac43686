import { describe, expect, it } from 'vitest';
import { RULE_LIMITS, type Rule, RuleStats, validateRule } from '../../src/rules/index.js';
import { ev, runRules } from './helpers.js';

// Caps per rule and key against rules whose matches explode: the excess is dropped and counted,
// the rule is reported degraded, and the rest of its output is what it would be without the cap.

function explosive(limits?: Record<string, number>): Rule {
  const v = validateRule({
    id: 'explosive',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages: [
      {
        name: 'many',
        condition: 'e.type == "a"',
        quantifier: { type: 'oneOrMore' },
        inner: 'allowCombinations',
      },
      { name: 'end', contiguity: 'followedByAny', condition: 'e.type == "b"' },
    ],
    within: 'PT10M',
    alert: { severity: 'low', message: '{{key}}' },
    ...(limits === undefined ? {} : { limits }),
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
}

describe('caps per rule and key', () => {
  it('drops alerts over maxAlertsPerKeyPerMinute, counts them, marks the rule degraded; other keys are untouched', async () => {
    // 6 a's then a b: 63 combinations, i.e. 63 alerts per user without a cap.
    const events = (user: string, t0: number) => [
      ...Array.from({ length: 6 }, (_, i) => ev('a', t0 + i, { user })),
      ev('b', t0 + 10, { user }),
    ];
    const input = [...events('ann', 0), ...events('bob', 100)];
    const uncapped = await runRules([explosive()], input, 1);
    expect(uncapped.alerts.filter((a) => a.key === '[["user","ann"]]')).toHaveLength(63);

    const stats = new RuleStats();
    const degraded: string[] = [];
    stats.onDegraded = (rule, reason) => degraded.push(`${rule}: ${reason}`);
    const capped = await runRules([explosive({ maxAlertsPerKeyPerMinute: 10 })], input, 1, { stats });
    // Said once when the rule becomes degraded, not once per dropped alert.
    expect(degraded).toEqual(['explosive: more than 10 alerts per key per minute']);
    const perUser = (user: string) => capped.alerts.filter((a) => a.key === `[["user","${user}"]]`).length;
    expect(perUser('ann')).toBe(10);
    expect(perUser('bob')).toBe(10); // ann's flood does not use up bob's allowance
    expect(stats.snapshot('explosive')).toMatchObject({ alerts: 20, droppedAlerts: 106 });
    expect(stats.degraded('explosive')?.reason).toMatch(/more than 10 alerts per key per minute/);
    // The alerts kept are alerts the rule raises without the cap.
    const all = new Set(uncapped.alerts.map((a) => a.alertId));
    for (const a of capped.alerts) expect(all.has(a.alertId)).toBe(true);
  });

  it('drops a key\u2019s partial matches over maxPartialMatchesPerKey instead of growing without bound', async () => {
    const stats = new RuleStats();
    // 40 a's: without a cap 2^40 partial matches; the cap keeps the key at 100.
    const events = [
      ...Array.from({ length: 40 }, (_, i) => ev('a', i, { user: 'ann' })),
      ev('b', 60, { user: 'ann' }),
    ];
    const t0 = performance.now();
    const { alerts } = await runRules([explosive({ maxPartialMatchesPerKey: 100 })], events, 1, { stats });
    expect(performance.now() - t0).toBeLessThan(20_000);
    const s = stats.snapshot('explosive');
    expect(s.droppedPartialMatches).toBeGreaterThan(100);
    expect(alerts.length).toBeLessThanOrEqual(RULE_LIMITS.defaultMaxAlertsPerKeyPerMinute);
    expect(stats.degraded('explosive')?.reason).toMatch(/more than 100 partial matches/);
  });

  it('defaults apply without limits, and the schema refuses bad ones', () => {
    expect(RULE_LIMITS.defaultMaxPartialMatchesPerKey).toBeGreaterThan(0);
    const bad = validateRule({ ...explosive(), limits: { maxAlertsPerKeyPerMinute: 0 } });
    expect(bad.ok).toBe(false);
    const unknown = validateRule({ ...explosive(), limits: { nope: 1 } });
    expect(unknown.ok).toBe(false);
  });
});
