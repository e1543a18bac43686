import { type Rule, type RuleEvent, validateRule } from '../../src/rules/index.js';

/**
 * The rules the crash and resend tests run (with and without Kafka): a pattern (`x` then `y`
 * within 10 minutes, skipPastLastEvent) and a threshold (3 or more `z` per 5-minute window), so a
 * lost or doubled event changes the alerts either way.
 */
export const CRASH_RULE_DOCS: readonly Record<string, unknown>[] = [
  {
    id: 'x-then-y',
    version: 1,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages: [
      { name: 'x', condition: 'e.type == "x"' },
      { name: 'y', contiguity: 'followedBy', condition: 'e.type == "y"' },
    ],
    within: 'PT10M',
    skip: 'skipPastLastEvent',
    alert: { severity: 'low', message: 'x then y for {{key}}' },
  },
  {
    id: 'z-count',
    version: 1,
    status: 'active',
    kind: 'threshold',
    key: ['user'],
    aggregate: 'count',
    filter: 'e.type == "z"',
    window: { type: 'tumbling', size: 'PT5M' },
    compare: { op: '>=', value: 3 },
    alert: { severity: 'low', message: '{{value}} z for {{key}}' },
  },
];

/** A rule document validated (throws with the errors otherwise). */
export function validated(doc: unknown): Rule {
  const v = validateRule(doc);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
}

/**
 * `batches` batches of `size` seeded events of types x/y/z over `users` users, 1 s apart in event
 * time from `t0`, each with a unique `id` (`e<n>`).
 */
export function crashBatches(
  random: () => number,
  t0: number,
  batches: number,
  size: number,
  users: number,
): RuleEvent[][] {
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: size }, (_, i) => {
      const n = b * size + i;
      const r = random();
      return {
        type: r < 0.4 ? 'x' : r < 0.7 ? 'y' : 'z',
        user: `u${Math.floor(random() * users)}`,
        ts: t0 + n * 1000,
        id: `e${n}`,
      };
    }),
  );
}
