import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleJson, RULE_LIMITS, RULE_SCHEMA, validateRule } from '../../src/rules/index.js';
import { rulesDir } from './helpers.js';

const base = {
  id: 'r1',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  alert: { severity: 'high', message: 'm' },
  stages: [
    { name: 'a', condition: 'e.type == "a"' },
    { name: 'b', condition: 'e.type == "b"' },
  ],
};
const threshold = {
  id: 't1',
  version: 1,
  status: 'active',
  kind: 'threshold',
  key: ['account'],
  alert: { severity: 'low', message: 'm' },
  aggregate: 'sum',
  field: 'amount',
  window: { type: 'tumbling', size: 'PT1H' },
  compare: { op: '>', value: 10 },
};

/** `base` with `patch` applied at the top level (undefined deletes). */
function rule(patch: Record<string, unknown>, of: Record<string, unknown> = base): unknown {
  const r: Record<string, unknown> = { ...of, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete r[k];
  return r;
}
const stages = (...s: unknown[]) => ({ stages: s });

describe('rules/schema.json', () => {
  it('has an $id, is 2020-12, and describes every property', () => {
    expect(RULE_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(RULE_SCHEMA.$id).toMatch(/^https:\/\//);
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.properties !== undefined && typeof n.properties === 'object') {
        for (const [name, sub] of Object.entries(n.properties as Record<string, unknown>)) {
          if (
            typeof sub === 'object' &&
            sub !== null &&
            typeof (sub as { description?: unknown }).description !== 'string'
          ) {
            missing.push(`${path}/properties/${name}`);
          }
        }
      }
      // Conditional branches (if/then/else) only restrict properties described elsewhere.
      for (const [k, v] of Object.entries(n))
        if (!['if', 'then', 'else', 'allOf'].includes(k)) walk(v, `${path}/${k}`);
    };
    walk(RULE_SCHEMA, '');
    expect(missing).toEqual([]);
  });

  it('accepts every example rule in rules/', () => {
    const files = readdirSync(rulesDir).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const v = validateRule(JSON.parse(readFileSync(join(rulesDir, f), 'utf8')));
      expect([f, v.ok ? 'ok' : v.errors]).toEqual([f, 'ok']);
      expect(v.ok && `${v.rule.id}.json`).toBe(f);
    }
  });

  it('accepts the whole Pattern API: quantifiers, contiguities, groups, until, skip, windows', () => {
    const v = validateRule(
      rule({
        stages: [
          {
            name: 'a',
            condition: 'e.type == "a"',
            quantifier: { type: 'oneOrMore' },
            inner: 'consecutive',
            until: 'e.type == "x"',
          },
          { name: 'b', contiguity: 'next', quantifier: { type: 'times', from: 2, to: 4 }, greedy: true },
          { name: 'n', contiguity: 'notNext', condition: 'e.type == "n"' },
          {
            group: [{ name: 'g1' }, { name: 'g2', contiguity: 'followedByAny' }],
            contiguity: 'followedBy',
            quantifier: { type: 'times', from: 2 },
          },
          {
            name: 'c',
            contiguity: 'followedByAny',
            quantifier: { type: 'timesOrMore', from: 1 },
            inner: 'allowCombinations',
            withinPrevious: 1000,
          },
          { name: 'd', optional: true, quantifier: { type: 'one' } },
          { name: 'e' },
        ],
        within: 'PT1M30.5S',
        skip: 'skipToLast:b',
        timeoutAlert: { severity: 'low', message: 'timed out' },
      }),
    );
    expect(v.ok ? 'ok' : v.errors).toBe('ok');
  });
});

describe('validateRule errors carry the JSON Pointer of what is wrong', () => {
  const cases: Array<[string, unknown, Array<{ path: string; message?: string | RegExp }>]> = [
    ['not an object', 42, [{ path: '', message: 'must be object' }]],
    ['missing id', rule({ id: undefined }), [{ path: '/id', message: 'is required' }]],
    ['bad slug', rule({ id: 'Bad Id' }), [{ path: '/id' }]],
    ['version 0', rule({ version: 0 }), [{ path: '/version', message: 'must be >= 1' }]],
    ['version not integer', rule({ version: 1.5 }), [{ path: '/version', message: 'must be integer' }]],
    ['status', rule({ status: 'on' }), [{ path: '/status', message: 'must be one of active, paused' }]],
    ['unknown property', rule({ colour: 'red' }), [{ path: '/colour', message: 'is not a known property' }]],
    ['empty key', rule({ key: [] }), [{ path: '/key' }]],
    ['key path', rule({ key: ['a..b'] }), [{ path: '/key/0' }]],
    ['key into the prototype', rule({ key: ['user.__proto__'] }), [{ path: '/key/0' }]],
    ['severity', rule({ alert: { severity: 'urgent', message: 'm' } }), [{ path: '/alert/severity' }]],
    [
      'alert without message',
      rule({ alert: { severity: 'low' } }),
      [{ path: '/alert/message', message: 'is required' }],
    ],
    [
      'quantifier from not integer',
      rule(stages({ name: 'a' }, { name: 'b', quantifier: { type: 'times', from: 'x' } })),
      [{ path: '/stages/1/quantifier/from', message: 'must be integer' }],
    ],
    [
      'times without from',
      rule(stages({ name: 'a', quantifier: { type: 'times' } })),
      [{ path: '/stages/0/quantifier/from', message: 'is required' }],
    ],
    [
      'from on oneOrMore',
      rule(stages({ name: 'a', quantifier: { type: 'oneOrMore', from: 2 } })),
      [{ path: '/stages/0/quantifier/from' }],
    ],
    [
      'to < from',
      rule(stages({ name: 'a', quantifier: { type: 'times', from: 3, to: 2 } })),
      [{ path: '/stages/0/quantifier/to', message: 'must be >= from (3)' }],
    ],
    [
      'times 0',
      rule(stages({ name: 'a', quantifier: { type: 'times', from: 0 } })),
      [{ path: '/stages/0/quantifier/from' }],
    ],
    [
      'contiguity',
      rule(stages({ name: 'a' }, { name: 'b', contiguity: 'after' })),
      [{ path: '/stages/1/contiguity' }],
    ],
    [
      'contiguity on the first stage',
      rule(stages({ name: 'a', contiguity: 'next' }, { name: 'b' })),
      [{ path: '/stages/0/contiguity', message: /first stage/ }],
    ],
    [
      'extra stage property',
      rule(stages({ name: 'a', colour: 1 })),
      [{ path: '/stages/0/colour', message: 'is not a known property' }],
    ],
    [
      'duplicate stage names',
      rule(stages({ name: 'a' }, { group: [{ name: 'b' }, { name: 'a' }] })),
      [{ path: '/stages/1/group/1/name', message: 'duplicate stage name "a"' }],
    ],
    ['stage name', rule(stages({ name: 'a b' })), [{ path: '/stages/0/name' }]],
    ['reserved stage name', rule(stages({ name: '__proto__' })), [{ path: '/stages/0/name' }]],
    [
      'nested group',
      rule(stages({ name: 'a' }, { group: [{ group: [{ name: 'b' }] }] })),
      [{ path: '/stages/1/group/0/name', message: 'is required' }],
    ],
    ['within', rule({ within: '5 minutes' }), [{ path: '/within', message: /ISO-8601/ }]],
    [
      'within too long',
      rule({ within: 'P400D' }),
      [{ path: '/within', message: 'must be at most 366 days' }],
    ],
    ['skip', rule({ skip: 'skipSomewhere' }), [{ path: '/skip' }]],
    [
      'skip to a missing stage',
      rule({ skip: 'skipToFirst:zz' }),
      [{ path: '/skip', message: 'the rule has no stage "zz"' }],
    ],
    [
      'threshold field on a pattern rule',
      rule({ aggregate: 'sum' }),
      [{ path: '/aggregate', message: /not allowed/ }],
    ],
    [
      'pattern rule without stages',
      rule({ stages: undefined }),
      [{ path: '/stages', message: 'is required' }],
    ],
    [
      'CEL syntax',
      rule(stages({ name: 'a', condition: 'e.amount >' })),
      [{ path: '/stages/0/condition', message: /Unexpected token/ }],
    ],
    [
      'CEL type',
      rule(stages({ name: 'a' }, { name: 'b', condition: '"abc" > 1' })),
      [{ path: '/stages/1/condition', message: /no such overload/ }],
    ],
    [
      'CEL not bool',
      rule(stages({ name: 'a', condition: 'size("x") + 1' })),
      [{ path: '/stages/0/condition', message: 'must return bool, returns int' }],
    ],
    [
      'CEL unknown variable',
      rule(stages({ name: 'a', condition: 'x == 1' })),
      [{ path: '/stages/0/condition', message: /Unknown variable|x/ }],
    ],
    [
      'until',
      rule(stages({ name: 'a', quantifier: { type: 'oneOrMore' }, until: 'e.x ==' })),
      [{ path: '/stages/0/until' }],
    ],
    [
      'matched names an unknown stage',
      rule(stages({ name: 'a' }, { name: 'b', condition: 'size(matched.zz) > 0' })),
      [{ path: '/stages/1/condition', message: 'matched.zz: the rule has no stage "zz"' }],
    ],
    ['a one-stage rule without condition is valid', rule(stages({ name: 'a' })), []],
    [
      'CEP: trailing notFollowedBy without within',
      rule(stages({ name: 'a' }, { name: 'b', contiguity: 'notFollowedBy' })),
      [{ path: '/stages/1/contiguity', message: /NotFollowedBy is not supported without windowTime/ }],
    ],
    [
      'CEP: quantified negation',
      rule(
        stages(
          { name: 'a' },
          { name: 'b', contiguity: 'notNext', quantifier: { type: 'oneOrMore' } },
          { name: 'c' },
        ),
      ),
      [{ path: '/stages/1/quantifier', message: 'Option not applicable to NOT pattern' }],
    ],
    [
      'CEP: greedy on a single stage',
      rule(stages({ name: 'a' }, { name: 'b', greedy: true })),
      [{ path: '/stages/1/greedy' }],
    ],
    [
      'CEP: until on a single stage',
      rule(stages({ name: 'a', until: 'true' }, { name: 'b' })),
      [{ path: '/stages/0/until' }],
    ],
    [
      'CEP: negation after an optional stage',
      rule(
        stages(
          { name: 'a' },
          { name: 'b', optional: true },
          { name: 'c', contiguity: 'notNext' },
          { name: 'd' },
        ),
      ),
      [{ path: '/stages/2/contiguity', message: /cannot follow the optional stage/ }],
    ],
    [
      'CEP: every stage optional',
      rule(stages({ name: 'a', optional: true })),
      [{ path: '/stages', message: /empty matches/ }],
    ],
    [
      'CEP: skip to a negation',
      rule({
        ...stages({ name: 'a' }, { name: 'n', contiguity: 'notNext' }, { name: 'b' }),
        skip: 'skipToFirst:n',
      }),
      [{ path: '/skip', message: /is a NOT stage/ }],
    ],
    [
      'threshold: count with a field',
      rule({ aggregate: 'count' }, threshold),
      [{ path: '/field', message: /not allowed/ }],
    ],
    [
      'threshold: sum without field',
      rule({ field: undefined }, threshold),
      [{ path: '/field', message: 'is required' }],
    ],
    [
      'threshold: sliding without slide',
      rule({ window: { type: 'sliding', size: 'P1D' } }, threshold),
      [{ path: '/window/slide', message: 'is required' }],
    ],
    [
      'threshold: slide on tumbling',
      rule({ window: { type: 'tumbling', size: 'P1D', slide: 'PT1H' } }, threshold),
      [{ path: '/window/slide', message: /not allowed/ }],
    ],
    [
      'threshold: size not a multiple of slide',
      rule({ window: { type: 'sliding', size: 'PT1H', slide: 'PT7M' } }, threshold),
      [{ path: '/window/slide', message: 'the window size must be a multiple of it' }],
    ],
    [
      'threshold: too many slides',
      rule({ window: { type: 'sliding', size: 'P1D', slide: 'PT1S' } }, threshold),
      [{ path: '/window/slide', message: /at most 1440/ }],
    ],
    [
      'threshold: compare op',
      rule({ compare: { op: '=>', value: 1 } }, threshold),
      [{ path: '/compare/op' }],
    ],
    [
      'threshold: filter uses matched',
      rule({ filter: 'size(matched.a) > 0' }, threshold),
      [{ path: '/filter', message: /only available in pattern rules/ }],
    ],
    [
      'threshold: stages',
      rule({ stages: [{ name: 'a' }] }, threshold),
      [{ path: '/stages', message: /not allowed/ }],
    ],
  ];

  it.each(cases)('%s', (_name, doc, expected) => {
    const v = validateRule(doc);
    if (expected.length === 0) {
      expect(v.ok ? 'ok' : v.errors).toBe('ok');
      return;
    }
    expect(v.ok).toBe(false);
    if (v.ok) return;
    for (const e of expected) {
      const found = v.errors.find(
        (x) =>
          x.path === e.path &&
          (e.message === undefined ||
            (typeof e.message === 'string' ? x.message === e.message : e.message.test(x.message))),
      );
      expect(found, `${JSON.stringify(e)} in ${JSON.stringify(v.errors)}`).toBeDefined();
    }
  });

  it('reports every schema error at once (allErrors)', () => {
    const v = validateRule(
      rule({ version: 0, status: 'x', stages: [{ name: 'a', quantifier: { type: 'times', from: -1 } }] }),
    );
    expect(v.ok).toBe(false);
    expect(!v.ok && v.errors.map((e) => e.path).sort()).toEqual([
      '/stages/0/quantifier/from',
      '/status',
      '/version',
    ]);
  });
});

describe('hostile documents are refused cleanly', () => {
  it('JSON nested 1000 levels deep', () => {
    let deep: unknown = {};
    for (let i = 0; i < 1000; i++) deep = { a: deep };
    const t = performance.now();
    expect(validateRule(rule({ description: deep }))).toEqual({
      ok: false,
      errors: [{ path: '', message: `document nests deeper than ${RULE_LIMITS.maxJsonDepth} levels` }],
    });
    const text = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    expect(parseRuleJson(text)).toEqual({
      ok: false,
      errors: [{ path: '', message: expect.stringMatching(/nests deeper/) }],
    });
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('a 100 KB condition', () => {
    const big = `e.type == "${'x'.repeat(100 * 1024)}"`;
    const v = validateRule(rule(stages({ name: 'a', condition: big })));
    expect(!v.ok && v.errors).toEqual([
      { path: '/stages/0/condition', message: 'must NOT have more than 4096 characters' },
    ]);
    const v2 = parseRuleJson(
      JSON.stringify(
        rule(
          stages(
            ...Array.from({ length: 100 }, (_, i) => ({ name: `s${i}`, condition: big.slice(0, 4000) })),
          ),
        ),
      ),
    );
    expect(!v2.ok && v2.errors[0]!.message).toMatch(/longer than/);
  });

  it('conditions over the AST limits', () => {
    const wide = Array.from({ length: 600 }, (_, i) => `e.f${i} == 1`).join(' || ');
    expect(validateRule(rule(stages({ name: 'a', condition: wide.slice(0, 4000) })))).toMatchObject({
      ok: false,
      errors: [{ path: '/stages/0/condition', message: expect.stringMatching(/maxAstNodes/) }],
    });
    const deep = `${'('.repeat(100)}true${')'.repeat(100)}`;
    expect(validateRule(rule(stages({ name: 'a', condition: deep })))).toMatchObject({
      ok: false,
      errors: [{ path: '/stages/0/condition', message: expect.stringMatching(/maxDepth/) }],
    });
  });

  it('prototype access in conditions', () => {
    for (const c of [
      'e.__proto__.x == 1',
      'e.constructor == null',
      'e["__proto__"] == null',
      'has(e.prototype)',
      'matched.a[0].constructor == null',
    ]) {
      const v = validateRule(rule(stages({ name: 'a' }, { name: 'b', condition: c })));
      expect([c, !v.ok && v.errors[0]]).toEqual([
        c,
        { path: '/stages/1/condition', message: expect.stringMatching(/is not allowed/) },
      ]);
    }
  });

  it('regular expressions (ReDoS)', () => {
    const v = validateRule(rule(stages({ name: 'a', condition: 'e.name.matches("(a+)+$")' })));
    expect(!v.ok && v.errors[0]).toEqual({
      path: '/stages/0/condition',
      message: expect.stringMatching(/matches\(\) is not allowed/),
    });
  });

  it('too many stages', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ group: [{ name: `a${i}` }, { name: `b${i}` }] }));
    const v = validateRule(rule({ stages: many }));
    expect(!v.ok && v.errors).toEqual([
      { path: '/stages', message: 'at most 32 stages, counting those inside groups' },
    ]);
  });

  it('invalid JSON text', () => {
    expect(parseRuleJson('{"id":')).toMatchObject({
      ok: false,
      errors: [{ path: '', message: expect.stringMatching(/^invalid JSON/) }],
    });
  });
});
