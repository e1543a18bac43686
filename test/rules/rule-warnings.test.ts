import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConditionErrors, compileThresholdRule, type Rule, validateRule } from '../../src/rules/index.js';
import { ruleWarnings } from '../../src/rules/rule-warnings.js';
import { rulesDir } from './helpers.js';

const pattern = {
  id: 'w1',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  alert: { severity: 'high', message: 'payout of {{payout.amount}} for {{key}}' },
  stages: [
    { name: 'login', condition: 'e.type == "login"' },
    { name: 'payout', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
};
const threshold = {
  id: 't1',
  version: 1,
  status: 'active',
  kind: 'threshold',
  key: ['account'],
  alert: { severity: 'low', message: '{{value}} in {{count}} transfers for {{key}}' },
  aggregate: 'sum',
  field: 'amount',
  filter: 'e.type == "transfer"',
  window: { type: 'tumbling', size: 'PT1H' },
  compare: { op: '>', value: 10 },
};

/**
 * The warnings of a valid rule document (fails the test when it is invalid), without the
 * condition cost notes (condition-cost.test.ts).
 */
function warningsOf(
  json: Record<string, unknown>,
  exampleEvents?: unknown[],
): { path: string; message: string }[] {
  const v = validateRule(json, { exampleEvents });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return (v.warnings ?? []).filter((w) => !w.message.startsWith('the estimate'));
}

describe('rule warnings: templates and fields', () => {
  it('gives none for the example rules', () => {
    for (const file of readdirSync(rulesDir).filter((f) => f.endsWith('.json') && f !== 'schema.json')) {
      const json = JSON.parse(readFileSync(join(rulesDir, file), 'utf8')) as Record<string, unknown>;
      const v = validateRule(json);
      expect(v.ok, file).toBe(true);
      if (v.ok) expect(ruleWarnings(v.rule), file).toEqual([]);
    }
  });

  it('warns about a placeholder naming no stage, built-in or field the rule reads, suggesting the stage', () => {
    const w = warningsOf({
      ...pattern,
      alert: {
        severity: 'high',
        message: 'payout of {{payot.amount}} ({{nosuch}}) for {{key}} at {{login.ip}}',
      },
    });
    expect(w).toEqual([
      {
        path: '/alert/message',
        message: expect.stringMatching(
          /^placeholder \{\{payot\.amount\}\} names no stage, no built-in \(ruleId, version, severity, key\) and no field the rule reads .*renders empty.*did you mean \{\{payout\.amount\}\}\?$/,
        ),
      },
      {
        path: '/alert/message',
        message: expect.stringMatching(/^placeholder \{\{nosuch\}\} names no stage/),
      },
    ]);
  });

  it('accepts placeholders naming fields of the key, the conditions, fields, ts, type and the threshold built-ins', () => {
    expect(
      warningsOf({
        ...pattern,
        alert: {
          severity: 'high',
          message: '{{user}} {{amount}} {{ip}} {{ts}} {{type}} {{ruleId}} {{version}} {{severity}} {{login}}',
          fields: ['ip'],
        },
      }),
    ).toEqual([]);
    expect(
      warningsOf({
        ...threshold,
        alert: { severity: 'low', message: '{{windowStart}}-{{windowEnd}} {{amount}}' },
      }),
    ).toEqual([]);
    // {{value}} is no built-in of a pattern rule.
    expect(warningsOf({ ...pattern, alert: { severity: 'low', message: '{{value}}' } })).toEqual([
      { path: '/alert/message', message: expect.stringContaining('{{value}} names no stage') },
    ]);
  });

  it('checks the timeout alert too', () => {
    const w = warningsOf({
      ...pattern,
      within: 'PT10M',
      timeoutAlert: { severity: 'low', message: 'no payout after {{logn.ip}}' },
    });
    expect(w).toEqual([
      { path: '/timeoutAlert/message', message: expect.stringContaining('did you mean {{login.ip}}?') },
    ]);
  });

  it('warns about fields qualified by a stage name (fields are event paths)', () => {
    const w = warningsOf({ ...pattern, alert: { ...pattern.alert, fields: ['user', 'payout.amount'] } });
    expect(w).toEqual([
      {
        path: '/alert/fields/1',
        message: expect.stringMatching(/^"payout\.amount" is read as an event field path .*use "amount"/),
      },
    ]);
  });

  it('with example events: placeholders and fields that no example event has', () => {
    const events = [
      { type: 'login', user: 'ann', ip: '10.0.0.1', ts: 1 },
      { type: 'payout', user: 'ann', amount: 900, ts: 2 },
    ];
    const w = warningsOf(
      {
        ...pattern,
        alert: {
          severity: 'high',
          message: '{{payout.amount}} {{payout.amont}} {{ip}} {{country}}',
          fields: ['user', 'ip', 'device'],
        },
      },
      events,
    );
    expect(w).toEqual([
      {
        path: '/alert/message',
        message:
          'placeholder {{payout.amont}}: no example event has a field "amont", so it renders empty for stage "payout"',
      },
      {
        path: '/alert/message',
        message: expect.stringMatching(
          /^placeholder \{\{country\}\} .*no example event has a field "country"/,
        ),
      },
      {
        path: '/alert/fields/2',
        message: 'no example event has a field "device": the alert will not carry it',
      },
    ]);
    // Without examples, fields are not checked and {{country}} is only a field nothing reads.
    expect(warningsOf({ ...pattern, alert: { severity: 'low', message: 'x', fields: ['device'] } })).toEqual(
      [],
    );
  });
});

describe('rule warnings: threshold values', () => {
  it('warns when example events passing the filter carry the field as a string', () => {
    const w = warningsOf(threshold, [
      { type: 'transfer', account: 'a', amount: '12.50', ts: 1 },
      { type: 'transfer', account: 'a', amount: 3, ts: 2 },
      { type: 'login', account: 'a', amount: 'n/a', ts: 3 },
    ]);
    expect(w).toEqual([
      {
        path: '/field',
        message: expect.stringMatching(
          /^1 of the example events passing the filter carry "amount" as something else than a number \(the first a string: "12\.50"\): sum skips/,
        ),
      },
    ]);
    expect(warningsOf(threshold, [{ type: 'transfer', account: 'a', amount: 3, ts: 2 }])).toEqual([]);
    expect(
      warningsOf({ ...threshold, aggregate: 'count', field: undefined }, [{ type: 'transfer', amount: 'x' }]),
    ).toEqual([]);
  });

  it('counts events whose field is not a number as condition errors of the rule at run time', () => {
    const errors = new ConditionErrors();
    const t = compileThresholdRule(threshold, { errors });
    expect(t.valueOf({ type: 'transfer', amount: '12.50', ts: 1 })).toBeUndefined();
    expect(t.valueOf({ type: 'transfer', amount: true, ts: 1 })).toBeUndefined();
    expect(t.valueOf({ type: 'transfer', amount: null, ts: 1 })).toBeUndefined(); // null, missing: not errors
    expect(t.valueOf({ type: 'transfer', ts: 1 })).toBeUndefined();
    expect(t.valueOf({ type: 'transfer', amount: 7, ts: 1 })).toBe(7);
    expect(errors.count('t1')).toBe(2);
    expect(errors.lastError()).toEqual({ ruleId: 't1', message: 'field amount is a boolean, not a number' });
    t.valueOf({ type: 'transfer', amount: '1', ts: 1 });
    expect(errors.lastError()?.message).toBe('field amount is a string, not a number');
  });
});

describe('rule warnings: combinatorial patterns', () => {
  const stages = (...s: unknown[]) => ({ ...pattern, alert: { severity: 'low', message: 'm' }, stages: s });

  it('warns about a loop whose condition takes every event (none, always true, not testing the event)', () => {
    const w = warningsOf(
      stages(
        { name: 'a', quantifier: { type: 'oneOrMore' } },
        { name: 'b', condition: 'true || e.x == 1', quantifier: { type: 'timesOrMore', from: 2 } },
        {
          name: 'c',
          condition: 'ts > 0.0 && size(matched.a) < 100',
          quantifier: { type: 'times', from: 1, to: 3 },
        },
        { name: 'd', condition: 'e.type == "d"', quantifier: { type: 'oneOrMore' } },
      ),
    );
    expect(w).toEqual([
      {
        path: '/stages/0/quantifier',
        message: expect.stringMatching(
          /^stage "a" loops \(oneOrMore\) and has no condition, so it takes every event of its key: .*n²\/2 matches for n events/,
        ),
      },
      { path: '/stages/1/condition', message: expect.stringContaining('its condition is always true') },
      {
        path: '/stages/2/condition',
        message: expect.stringContaining('(times 1..3) and its condition does not test the event'),
      },
    ]);
  });

  it('warns about a looping group of always-true stages (the flooding rule of issue 14)', () => {
    const w = warningsOf(
      stages(
        { name: 'x', condition: 'e.type == "x"' },
        {
          group: [
            { name: 'a', condition: 'true' },
            { name: 'b', condition: 'true' },
          ],
          quantifier: { type: 'oneOrMore' },
        },
      ),
    );
    expect(w).toEqual([
      {
        path: '/stages/1/quantifier',
        message: expect.stringMatching(
          /^group \/stages\/1 \(stages "a", "b"\) loops \(oneOrMore\) and none of its stages tests the event/,
        ),
      },
    ]);
  });

  it('warns about allowCombinations', () => {
    const w = warningsOf(
      stages(
        {
          name: 'a',
          condition: 'e.type == "a"',
          quantifier: { type: 'oneOrMore' },
          inner: 'allowCombinations',
        },
        { name: 'b', condition: 'e.type == "b"' },
      ),
    );
    expect(w).toEqual([
      {
        path: '/stages/0/inner',
        message: expect.stringMatching(
          /^stage "a" has inner allowCombinations: every subset .* up to 2\^n matches/,
        ),
      },
    ]);
  });

  it('warns about followedByAny after a loop', () => {
    const w = warningsOf(
      stages(
        { name: 'a', condition: 'e.type == "a"', quantifier: { type: 'oneOrMore' } },
        { name: 'b', contiguity: 'followedByAny', condition: 'e.type == "b"' },
      ),
    );
    expect(w).toEqual([
      {
        path: '/stages/1/contiguity',
        message: expect.stringMatching(/^stage "b" follows the loop of stage "a" with followedByAny/),
      },
    ]);
    // followedByAny after a single stage is fine.
    expect(
      warningsOf(
        stages(
          { name: 'a', condition: 'e.type == "a"' },
          { name: 'b', contiguity: 'followedByAny', condition: 'e.type == "b"' },
        ),
      ),
    ).toEqual([]);
  });

  it('warns about consecutive loops with overlapping conditions joined by followedByAny or allowCombinations', () => {
    const overlapping = warningsOf(
      stages(
        { name: 'a', condition: 'e.type == "pay" && e.amount < 5.0', quantifier: { type: 'oneOrMore' } },
        {
          name: 'b',
          contiguity: 'followedByAny',
          condition: 'e.type in ["pay", "refund"]',
          quantifier: { type: 'oneOrMore' },
          inner: 'allowCombinations',
        },
      ),
    );
    expect(overlapping).toEqual([
      {
        path: '/stages/1',
        message:
          'stage "a" and stage "b" loop over events both can take; with allowCombinations every subset is a match: up to 2^n matches for n events',
      },
    ]);
    // Pinned to different types: they cannot take the same event; only the inner allowCombinations and followedByAny warnings.
    const disjoint = warningsOf(
      stages(
        { name: 'a', condition: 'e.type == "pay"', quantifier: { type: 'oneOrMore' } },
        {
          name: 'b',
          contiguity: 'followedByAny',
          condition: '"refund" == e["type"]',
          quantifier: { type: 'oneOrMore' },
        },
      ),
    );
    expect(disjoint.map((w) => w.path)).toEqual(['/stages/1/contiguity']);
    // Relaxed loops one after the other: no warning.
    expect(
      warningsOf(
        stages(
          { name: 'a', condition: 'e.type == "pay"', quantifier: { type: 'oneOrMore' } },
          { name: 'b', condition: 'e.type == "pay"', quantifier: { type: 'oneOrMore' } },
        ),
      ),
    ).toEqual([]);
  });

  it('come with the cost notes in validateRule, after them', () => {
    const v = validateRule({
      ...pattern,
      alert: { severity: 'low', message: '{{a}} events' },
      stages: [
        { name: 'a', quantifier: { type: 'oneOrMore' } },
        { name: 'b', condition: 'e.type == "b" && size(matched.a) > 2' },
      ],
    });
    expect(v.ok && v.warnings?.map((w) => w.path)).toEqual(['/stages/1/condition', '/stages/0/quantifier']);
    if (v.ok) expect(ruleWarnings(v.rule as Rule)).toEqual([v.warnings?.[1]]);
  });
});

describe('reserved names in the schema', () => {
  it('names the refused name instead of "must NOT be valid", for every caller of validateRule', () => {
    const key = validateRule({ ...pattern, key: ['user.__proto__'] });
    expect(key).toEqual({
      ok: false,
      errors: [
        {
          path: '/key/0',
          message:
            'field name "__proto__" is not allowed (__proto__, constructor and prototype are reserved)',
        },
      ],
    });
    const stage = validateRule({ ...pattern, stages: [{ name: 'constructor', condition: 'true' }] });
    expect(stage.ok ? [] : stage.errors).toEqual([
      {
        path: '/stages/0/name',
        message:
          'stage name "constructor" is not allowed (__proto__, constructor and prototype are reserved)',
      },
    ]);
    const fields = validateRule({
      ...pattern,
      alert: { severity: 'low', message: 'm', fields: ['a.prototype.b'] },
    });
    expect(fields.ok ? [] : fields.errors.map((e) => e.message)).toEqual([
      'field name "prototype" is not allowed (__proto__, constructor and prototype are reserved)',
    ]);
  });
});
