import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../src/core/index.js';
import {
  type Alert,
  type Rule,
  type RuleEvent,
  RulePipeline,
  type RulePipelineOptions,
  type RuleUpdate,
  ruleDeletion,
  ruleUpdate,
  validateRule,
} from '../../src/rules/index.js';

// Rules added, replaced, paused and deleted while events flow, through the whole pipeline. One
// source carries events and updates with their event time, split in two: watermarks reach every
// operator on both inputs in step, so which version sees which event is decided by event time.

type Item = { ev?: RuleEvent; update?: RuleUpdate; ts: number };

function make(json: Record<string, unknown>): Rule {
  const v = validateRule(json);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.rule;
}

const count = (version: number, limit: number, status: 'active' | 'paused' = 'active') =>
  make({
    id: 'many-logins',
    version,
    status,
    kind: 'threshold',
    key: ['user'],
    aggregate: 'count',
    filter: 'e.type == "login"',
    window: { type: 'tumbling', size: 10_000 },
    compare: { op: '>=', value: limit },
    alert: { severity: 'low', message: 'v{{version}}: {{count}} logins' },
  });

const ab = (version: number) =>
  make({
    id: 'a-then-b',
    version,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages: [
      { name: 'a', condition: 'e.type == "a"' },
      { name: 'b', condition: 'e.type == "b"' },
    ],
    alert: { severity: 'high', message: 'v{{version}} {{a.id}} {{b.id}}' },
  });

/** `a` then `b` within a minute: a rule that defers its starts (start-log.ts). */
const abWithin = (version: number, status: 'active' | 'paused' = 'active') =>
  make({ ...ab(version), status, within: 'PT1M' });

async function run(
  script: Array<RuleEvent | [RuleUpdate, number]>,
  options: RulePipelineOptions = {},
): Promise<{ alerts: string[]; rejected: string[] }> {
  const env = new StreamExecutionEnvironment({ parallelism: 2, autoWatermarkInterval: 0 });
  const items: Item[] = script.map((s) =>
    Array.isArray(s) ? { update: s[0], ts: s[1] } : { ev: s, ts: s.ts as number },
  );
  const src = env
    .fromCollection(items)
    .setParallelism(1)
    .assignTimestampsAndWatermarks(
      (await import('../../src/core/index.js')).WatermarkStrategy.forGenerator<Item>(() => {
        let max = Number.NEGATIVE_INFINITY;
        return {
          onEvent: (_e, ts, out) => {
            if (ts > max) max = ts;
            out.emitWatermark(max - 1);
          },
          onPeriodicEmit: () => {},
        };
      }).withTimestampAssigner((i) => i.ts),
    )
    .setParallelism(1);
  // Parallelism 1 up to the pipeline: a rebalance would reorder updates (and events).
  const { alerts, rejectedUpdates } = RulePipeline.alerts(
    src
      .filter((i) => i.ev !== undefined)
      .setParallelism(1)
      .map((i) => i.ev!)
      .setParallelism(1),
    src
      .filter((i) => i.update !== undefined)
      .setParallelism(1)
      .map((i) => i.update!)
      .setParallelism(1),
    options,
  );
  const rejected: string[] = [];
  rejectedUpdates.sinkTo({
    createWriter: () => ({
      write: (r) => void rejected.push(`${r.update.id} v${r.update.version}: ${r.reason}`),
      flush() {},
      close() {},
    }),
  });
  const out = await alerts.executeAndCollect();
  return { alerts: out.map((a: Alert) => `${a.ruleId} ${a.key} ${a.message}`).sort(), rejected };
}

let n = 0;
const ev = (type: string, ts: number, user = 'ann'): RuleEvent => ({ type, ts, user, id: `${type}${++n}` });

describe('rule updates at run time', () => {
  it('a threshold rule replaced mid-stream: windows closed before the switch alert under the old version', async () => {
    const { alerts } = await run([
      [ruleUpdate(count(1, 2)), 0],
      ev('login', 1000),
      ev('login', 2000),
      ev('login', 9000),
      ev('login', 12_000),
      // v2 from 15 s: the window [10 s, 20 s) restarts under v2 with the events from 15 s on.
      [ruleUpdate(count(2, 2)), 15_000],
      ev('login', 16_000),
      ev('login', 17_000),
      ev('login', 21_000),
    ]);
    expect(alerts).toEqual([
      'many-logins [["user","ann"]] v1: 3 logins',
      'many-logins [["user","ann"]] v2: 2 logins',
    ]);
  });

  it("pausing a rule stops its alerts from the pause on, without disturbing another rule's partial match", async () => {
    const { alerts } = await run([
      [ruleUpdate(count(1, 2)), 0],
      [ruleUpdate(ab(1)), 0],
      ev('login', 1000),
      ev('login', 2000),
      ev('a', 3000),
      [ruleUpdate(count(2, 2, 'paused')), 12_000],
      ev('login', 13_000),
      ev('login', 14_000),
      ev('b', 15_000),
      [ruleUpdate(count(3, 1)), 30_000],
      ev('login', 31_000),
    ]);
    expect(alerts).toEqual([
      expect.stringMatching(/^a-then-b \[\["user","ann"\]\] v1 a\d+ b\d+$/),
      'many-logins [["user","ann"]] v1: 2 logins',
      'many-logins [["user","ann"]] v3: 1 logins',
    ]);
  });

  it('a deleted rule stops matching; a rule can change kind between versions', async () => {
    const asThreshold = make({ ...count(3, 1), id: 'a-then-b' });
    const { alerts } = await run([
      [ruleUpdate(ab(1)), 0],
      [ruleUpdate(count(1, 1)), 0],
      [ruleDeletion('many-logins', 2), 500],
      [ruleDeletion('a-then-b', 2), 500],
      ev('a', 1000),
      ev('b', 2000),
      ev('login', 2500),
      // The id comes back as a threshold rule (a higher version than the tombstone).
      [ruleUpdate(asThreshold), 5000],
      ev('a', 6000),
      ev('b', 7000),
      ev('login', 8000),
    ]);
    expect(alerts).toEqual(['a-then-b [["user","ann"]] v3: 1 logins']);
  });

  it('starts a deferring rule logged before an update feed neither version after it, as without deferral', async () => {
    const script: Array<RuleEvent | [RuleUpdate, number]> = [
      [ruleUpdate(abWithin(1)), 0],
      ev('a', 1000),
      // Reaches the evaluator after v2 (its watermark comes after the update): routed under v1,
      // whose partial matches the update dropped.
      ev('b', 3000),
      [ruleUpdate(abWithin(2)), 5000],
      ev('b', 6000),
      ev('a', 7000),
      ev('b', 8000),
      ev('x', 8500),
      [ruleUpdate(abWithin(3, 'paused')), 9000],
      ev('a', 10_000),
      ev('b', 11_000),
      ev('x', 20_000),
    ];
    const deferred = await run(script);
    const plain = await run(script, { indexed: false });
    expect(deferred.alerts).toEqual(plain.alerts);
    expect(deferred.alerts).toEqual([expect.stringMatching(/^a-then-b \[\["user","ann"\]\] v2 a\d+ b\d+$/)]);
  });

  it('stale versions and invalid rules are refused; the previous version stays', async () => {
    const bad = { ...count(3, 1), compare: { op: '~', value: 1 } } as unknown as Rule;
    const { alerts, rejected } = await run([
      [ruleUpdate(count(2, 2)), 0],
      [ruleUpdate(count(1, 1)), 0],
      [{ id: 'many-logins', version: 3, status: 'active', definition: bad }, 0],
      ev('login', 1000),
      ev('login', 2000),
    ]);
    expect(alerts).toEqual(['many-logins [["user","ann"]] v2: 2 logins']);
    expect(rejected).toEqual(['many-logins v3: /compare/op: must be one of >, >=, <, <=, ==, !=']);
  });
});
