import { describe, expect, it } from 'vitest';
import {
  type PatternRule,
  type RuleEvent,
  renderAlert,
  renderThresholdAlert,
  type ThresholdRule,
  validateRule,
} from '../../src/rules/index.js';

const rule = validateRule({
  id: 'travel',
  version: 2,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [{ name: 'first' }, { name: 'second' }],
  within: 'PT1H',
  alert: {
    severity: 'high',
    message:
      '{{ruleId}} v{{version}} {{severity}} {{key}}: {{first.country}} -> {{second.country}} ({{first}} + {{second}}) {{country}} {{missing}} {{geo.city}}',
    fields: ['user', 'country', 'geo.city', 'nothing'],
  },
  timeoutAlert: { severity: 'low', message: 'only {{first.country}}' },
});
if (!rule.ok) throw new Error(JSON.stringify(rule.errors));
const r = rule.rule as PatternRule;
const key = '[["user","ann"]]';
const a: RuleEvent = {
  type: 'login',
  ts: 1000,
  id: 'e1',
  user: 'ann',
  country: 'FR',
  geo: { city: 'Paris' },
};
const b: RuleEvent = { type: 'login', ts: 5000, id: 'e2', user: 'ann', country: 'BR' };

describe('renderAlert', () => {
  it('renders the template by lookup, copies fields, and spans the event times', () => {
    const alert = renderAlert(
      r,
      new Map([
        ['first', [a]],
        ['second', [b]],
      ]),
      key,
    );
    expect(alert).toMatchObject({
      kind: 'match',
      ruleId: 'travel',
      version: 2,
      key,
      severity: 'high',
      message: 'travel v2 high user=ann: FR -> BR (1 + 1) BR  ',
      stages: { first: [a], second: [b] },
      fields: { user: 'ann', country: 'BR', 'geo.city': 'Paris' },
      eventTimeStart: 1000,
      eventTimeEnd: 5000,
    });
    expect(alert.alertId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('alert ids are deterministic: same rule, version, key and events -> same id; any change -> another', () => {
    const id = (m: Record<string, RuleEvent[]>, k = key, rr: PatternRule = r, timedOut = false) =>
      renderAlert(rr, m, k, { timedOut }).alertId;
    const base = id({ first: [a], second: [b] });
    expect(id({ first: [{ ...a }], second: [{ ...b }] })).toBe(base);
    expect(
      renderAlert(
        r,
        new Map([
          ['first', [a]],
          ['second', [b]],
        ]),
        key,
      ).alertId,
    ).toBe(base);
    const others = [
      id({ first: [a], second: [{ ...b, id: 'e3' }] }),
      id({ first: [a], second: [{ ...b, ts: 5001 }] }),
      id({ first: [a], second: [b] }, '[["user","bob"]]'),
      id({ first: [a], second: [b] }, key, { ...r, version: 3 }),
      id({ first: [a], second: [b] }, key, { ...r, id: 'other' }),
      id({ first: [a], second: [b] }, key, r, true),
      id({ first: [b], second: [a] }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('never evaluates the template: values are inserted as text, cut when huge', () => {
    // Looks like a placeholder and like JS template code: both stay text.
    const payload = ['{{ruleId}}', '$', '{process.exit(1)}'].join('');
    const evil: RuleEvent = { type: 'x', ts: 1, country: payload, user: 'u' };
    const alert = renderAlert(r, { first: [evil], second: [{ ...evil, country: 'x'.repeat(10_000) }] }, key);
    expect(alert.message).toContain(`${payload} -> `);
    expect(alert.message.length).toBeLessThan(1200);
    const proto = renderAlert(
      { ...r, alert: { severity: 'low', message: '[{{constructor}}][{{first.__proto__}}][{{toString}}]' } },
      { first: [a] },
      key,
    );
    expect(proto.message).toBe('[][][]');
  });

  it('renders timed-out partial matches with the timeout template', () => {
    const alert = renderAlert(r, { first: [a] }, key, { timedOut: true });
    expect(alert).toMatchObject({ kind: 'timeout', severity: 'low', message: 'only FR', eventTimeEnd: 1000 });
  });
});

describe('renderThresholdAlert', () => {
  it('renders value, count and window, with an id per window', () => {
    const t = validateRule({
      id: 'velocity',
      version: 1,
      status: 'active',
      kind: 'threshold',
      key: ['account'],
      aggregate: 'sum',
      field: 'amount',
      window: { type: 'tumbling', size: 'PT1H' },
      compare: { op: '>', value: 100 },
      alert: {
        severity: 'medium',
        message: '{{value}} in {{count}} from {{windowStart}} to {{windowEnd}} by {{key}} last {{amount}}',
        fields: ['amount'],
      },
    });
    if (!t.ok) throw new Error('invalid');
    const last: RuleEvent = { type: 'transfer', ts: 10, account: 'a1', amount: 70 };
    const w = { start: 0, end: 3_600_000, value: 170, count: 2, last };
    const alert = renderThresholdAlert(t.rule as ThresholdRule, '[["account","a1"]]', w);
    expect(alert).toMatchObject({
      kind: 'threshold',
      message: '170 in 2 from 0 to 3600000 by account=a1 last 70',
      fields: { amount: 70 },
      stages: {},
      value: 170,
      count: 2,
      eventTimeStart: 0,
      eventTimeEnd: 3_600_000,
    });
    expect(
      renderThresholdAlert(t.rule as ThresholdRule, '[["account","a1"]]', { ...w, value: 171 }).alertId,
    ).toBe(alert.alertId);
    expect(
      renderThresholdAlert(t.rule as ThresholdRule, '[["account","a1"]]', { ...w, start: 1, end: 3_600_001 })
        .alertId,
    ).not.toBe(alert.alertId);
  });
});
