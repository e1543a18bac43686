import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type HarnessEvent,
  OperatorTestHarness,
  OutputTag,
} from '../../src/core/index.js';
import type { OperatorSnapshot } from '../../src/core/runtime/stream-operator.js';
import {
  decodeKeyGroup,
  encodeKeyGroup,
  type StateGroup,
} from '../../src/core/state/keyed-snapshot-format.js';
import {
  type Alert,
  type GroupedEvent,
  type LateGroupedEvent,
  RuleGroupOperator,
  RuleStats,
  type RuleUpdate,
  ruleUpdate,
} from '../../src/rules/index.js';
import { validated } from '../util/crash-workload.js';

// The operator that runs every rule of a grouping per key, on its own: snapshot and restore at
// every step give the rest of the uninterrupted output; a reference to a version not read yet holds
// the key's events until it arrives; late events are counted and sent to the late output.

const seq = (version = 1) =>
  validated({
    id: 'seq',
    version,
    status: 'active',
    kind: 'pattern',
    key: ['user'],
    stages: [
      { name: 'a', condition: 'e.type == "a"' },
      { name: 'b', contiguity: 'followedBy', condition: 'e.type == "b"' },
    ],
    within: 5000,
    alert: { severity: 'low', message: 'v{{version}}' },
    timeoutAlert: { severity: 'low', message: 'timeout v{{version}}' },
  });
const strict = validated({
  id: 'strict',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'a', condition: 'e.type == "a"' },
    { name: 'c', contiguity: 'next', condition: 'e.type == "c"' },
  ],
  alert: { severity: 'low', message: 'strict' },
});
const count = validated({
  id: 'count',
  version: 1,
  status: 'active',
  kind: 'threshold',
  key: ['user'],
  aggregate: 'count',
  filter: 'e.type == "a"',
  window: { type: 'tumbling', size: 10_000 },
  compare: { op: '>=', value: 2 },
  alert: { severity: 'low', message: 'count {{count}}' },
});

const lateTag = new OutputTag<LateGroupedEvent>('late');
const factory =
  (stats = new RuleStats()) =>
  () =>
    new RuleGroupOperator({ options: {}, lateEvents: lateTag, stats });

type Step =
  | { readonly update: RuleUpdate; readonly ts: number }
  | { readonly grouped: GroupedEvent }
  | { readonly watermark: number };

let n = 0;
function g(user: string, type: string, ts: number, refs: Array<[string, number]>): Step {
  return {
    grouped: {
      key: `[["user","${user}"]]`,
      event: { type, ts, user, id: `e${++n}` },
      refs: refs.map(([id, version]) => ({ id, version })),
    },
  };
}

function apply(h: OperatorTestHarness<Alert>, steps: readonly Step[]): void {
  for (const s of steps) {
    if ('update' in s) h.processElement2(s.update, s.ts);
    else if ('grouped' in s) h.processElement1(s.grouped, s.grouped.event.ts as number);
    else {
      h.processWatermark1(s.watermark);
      h.processWatermark2(s.watermark);
    }
  }
}

const out = (events: readonly HarnessEvent<Alert>[]): string[] =>
  events.flatMap((e) =>
    e.kind === 'record'
      ? [`${e.value.ruleId} ${e.value.key} ${e.value.message} @${e.timestamp}`]
      : e.kind === 'side'
        ? [
            `late ${(e.value as LateGroupedEvent).grouped.event.id} wm ${(e.value as LateGroupedEvent).watermark}`,
          ]
        : [],
  );

const script: Step[] = [
  { update: ruleUpdate(seq()), ts: 0 },
  { update: ruleUpdate(strict), ts: 0 },
  { update: ruleUpdate(count), ts: 0 },
  g('ann', 'a', 1000, [
    ['count', 1],
    ['seq', 1],
    ['strict', 1],
  ]),
  g('bob', 'a', 1100, [
    ['count', 1],
    ['seq', 1],
    ['strict', 1],
  ]),
  { watermark: 1200 },
  g('ann', 'x', 1500, []), // breaks ann's strict run, nothing else
  g('ann', 'c', 1600, [['strict', 1]]),
  g('bob', 'c', 1700, [['strict', 1]]),
  g('ann', 'a', 2000, [
    ['count', 1],
    ['seq', 1],
    ['strict', 1],
  ]),
  { watermark: 2500 },
  g('ann', 'b', 1900, [['seq', 1]]), // late: behind the watermark
  g('ann', 'b', 3000, [['seq', 1]]),
  { watermark: 4000 },
  { watermark: 12_000 }, // bob's seq times out; the count window [0, 10 s) closes
];

describe('RuleGroupOperator', () => {
  it('runs patterns, strict runs and thresholds of one grouping side by side', async () => {
    const stats = new RuleStats();
    const h = new OperatorTestHarness<Alert>(factory(stats), { keyed: true });
    await h.open();
    apply(h, script);
    expect(out(h.events)).toEqual([
      'strict [["user","bob"]] strict @1700',
      `late ${(script[11] as { grouped: GroupedEvent }).grouped.event.id} wm 2500`,
      'seq [["user","ann"]] v1 @3000',
      'seq [["user","ann"]] v1 @3000',
      'seq [["user","bob"]] timeout v1 @6100',
      'count [["user","ann"]] count 2 @9999',
    ]);
    expect(stats.snapshot('seq')).toMatchObject({ lateEvents: 1, alerts: 3 });
  });

  it('gives after a snapshot and restore at any step exactly the rest of the uninterrupted output', async () => {
    const whole = new OperatorTestHarness<Alert>(factory(), { keyed: true });
    await whole.open();
    apply(whole, script);
    const expected = out(whole.events);
    for (let k = 0; k <= script.length; k++) {
      const before = new OperatorTestHarness<Alert>(factory(), { keyed: true });
      await before.open();
      apply(before, script.slice(0, k));
      // Snapshot twice: the second must reflect changes made after the first (no stale cache).
      before.snapshot();
      const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(before.snapshot()));
      await before.close();
      const after = new OperatorTestHarness<Alert>(factory(), { keyed: true });
      await after.open([snapshot]);
      apply(after, script.slice(k));
      expect([...out(before.events), ...out(after.events)], `split at ${k}`).toEqual(expected);
    }
  });

  it('restores snapshots written before slots were flat tuples (object slots holding the NFA data)', async () => {
    const whole = new OperatorTestHarness<Alert>(factory(), { keyed: true });
    await whole.open();
    apply(whole, script);
    const expected = out(whole.events);
    let converted = 0;
    for (let k = 0; k <= script.length; k++) {
      const before = new OperatorTestHarness<Alert>(factory(), { keyed: true });
      await before.open();
      apply(before, script.slice(0, k));
      const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(before.snapshot()));
      await before.close();
      const { snapshot: old, slots } = withObjectSlots(snapshot);
      converted += slots;
      const after = new OperatorTestHarness<Alert>(factory(), { keyed: true });
      await after.open([old]);
      apply(after, script.slice(k));
      expect([...out(before.events), ...out(after.events)], `split at ${k}`).toEqual(expected);
    }
    expect(converted).toBeGreaterThan(5);
  });

  it('holds a key\u2019s events that name a version not read yet until it arrives', async () => {
    const h = new OperatorTestHarness<Alert>(factory(), { keyed: true });
    await h.open();
    apply(h, [
      { update: ruleUpdate(seq(1)), ts: 0 },
      g('ann', 'a', 1000, [['seq', 2]]),
      g('ann', 'b', 1500, [['seq', 2]]),
      { watermark: 3000 },
    ]);
    expect(out(h.events)).toEqual([]);
    apply(h, [{ update: ruleUpdate(seq(2)), ts: 500 }, { watermark: 3001 }]);
    expect(out(h.events)).toEqual(['seq [["user","ann"]] v2 @1500']);
  });
});

describe('RuleGroupOperator: late events and allowed lateness (thresholds)', () => {
  const counting = (allowedLateness?: number) =>
    validated({
      id: 'count',
      version: 1,
      status: 'active',
      kind: 'threshold',
      key: ['user'],
      aggregate: 'count',
      filter: 'e.type == "a"',
      window: {
        type: 'tumbling',
        size: 10_000,
        ...(allowedLateness === undefined ? {} : { allowedLateness }),
      },
      compare: { op: '>=', value: 2 },
      alert: { severity: 'low', message: 'count {{count}}' },
    });

  it('a window kept for allowedLateness takes late events and fires again, with an id of its own', async () => {
    const stats = new RuleStats();
    const h = new OperatorTestHarness<Alert>(factory(stats), { keyed: true });
    await h.open();
    const late1 = g('ann', 'a', 3000, [['count', 1]]);
    const late2 = g('ann', 'a', 4000, [['count', 1]]);
    apply(h, [
      { update: ruleUpdate(counting(5000)), ts: 0 },
      g('ann', 'a', 1000, [['count', 1]]),
      g('ann', 'a', 2000, [['count', 1]]),
      { watermark: 10_500 },
      late1, // behind the watermark, within the window's lateness: counted, fires again
      { watermark: 15_000 }, // the window's lateness is over: it goes
      late2, // too late now
    ]);
    expect(out(h.events)).toEqual([
      'count [["user","ann"]] count 2 @9999',
      'count [["user","ann"]] count 3 @9999',
      `late ${(late2 as { grouped: GroupedEvent }).grouped.event.id} wm 15000`,
    ]);
    const ids = h.events.flatMap((e) => (e.kind === 'record' ? [e.value.alertId] : []));
    expect(new Set(ids).size).toBe(2);
    expect(stats.snapshot('count').lateEvents).toBe(1);
  });

  it('without allowedLateness an event behind the watermark still counts in a window not ended yet (Flink)', async () => {
    const stats = new RuleStats();
    const h = new OperatorTestHarness<Alert>(factory(stats), { keyed: true });
    await h.open();
    apply(h, [
      { update: ruleUpdate(counting()), ts: 0 },
      g('ann', 'a', 11_000, [['count', 1]]),
      { watermark: 12_000 },
      g('ann', 'a', 11_500, [['count', 1]]), // behind the watermark, its window [10 s, 20 s) is open
      g('ann', 'a', 5000, [['count', 1]]), // its window [0, 10 s) has ended: late
      { watermark: 20_000 },
    ]);
    expect(out(h.events).filter((l) => !l.startsWith('late'))).toEqual([
      'count [["user","ann"]] count 2 @19999',
    ]);
    expect(stats.snapshot('count').lateEvents).toBe(1);
  });
});

/**
 * The snapshot as the operator wrote it before flat slot tuples: each key's value as bytes of its
 * own (not the plain form inside the key group's payload, `raw`), without the format mark, its
 * slots as `{ id, v, s: nfaStateToData(...), t }`.
 */
function withObjectSlots(snapshot: OperatorSnapshot): { snapshot: OperatorSnapshot; slots: number } {
  let slots = 0;
  const keyed = snapshot.keyed!;
  const groups = keyed.groups.map(([group, bytes]) => {
    const states = decodeKeyGroup(bytes).map((state): StateGroup => {
      const [name, kind, entries, raw, removed] = state;
      if (name !== 'rule-group.rules') return state;
      const mapped = entries.map(([ns, key, payload]) => {
        const [stored, ...rest] = payload as [unknown, ...unknown[]];
        expect(raw).toBe(true);
        const { f, ...value } = stored as { f: number; p: unknown[][] };
        expect(f).toBe(2);
        value.p = value.p.map((t) => {
          slots++;
          const [id, v, ts, nextEventId, runs, partial, events, nodes, roots] = t as [
            string,
            number,
            number | undefined,
            number,
            unknown[],
            number,
            unknown[],
            unknown[],
            unknown[],
          ];
          const all = [];
          for (let i = 0; i < runs.length; i += 4)
            all.push({
              state: runs[i],
              startTimestamp: runs[i + 1],
              previousTimestamp: runs[i + 2],
              startEventId: runs[i + 3],
            });
          const chunk = (xs: unknown[], n: number) =>
            Array.from({ length: xs.length / n }, (_, i) => xs.slice(i * n, i * n + n));
          return {
            id,
            v,
            t: ts,
            s: {
              version: 2,
              partialMatches: all.slice(0, partial),
              completedMatches: all.slice(partial),
              buffer: { nextEventId, events: chunk(events, 3), nodes: chunk(nodes, 4), roots },
            },
          } as never;
        });
        return [ns, key, [new Uint8Array(serialize(value)), ...rest]] as const;
      });
      return [name, kind, mapped, false, removed];
    });
    return [group, encodeKeyGroup(states)] as const;
  });
  return { snapshot: { ...snapshot, keyed: { ...keyed, groups } }, slots };
}
