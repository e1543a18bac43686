import { describe, expect, it } from 'vitest';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type OperatorSnapshot,
  OperatorTestHarness,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../src/core/index.js';
import { EventDeduplicator, type RuleEvent } from '../../src/rules/index.js';
import { validated } from '../util/crash-workload.js';
import { runRules, T0 } from './helpers.js';

const WINDOW = 60_000;

/** A harness around one dedup operator at processing time `now`; `dropped` collects duplicates. */
async function harness(
  now: number,
  restored?: readonly OperatorSnapshot[],
  maxIds?: number,
): Promise<{ h: OperatorTestHarness<RuleEvent, RuleEvent>; dropped: RuleEvent[]; evicted: { n: number } }> {
  const dropped: RuleEvent[] = [];
  const evicted = { n: 0 };
  const h = new OperatorTestHarness<RuleEvent, RuleEvent>(
    () =>
      new EventDeduplicator({
        windowMs: WINDOW,
        ...(maxIds === undefined ? {} : { maxIds }),
        onDuplicate: (e) => dropped.push(e),
        onEvicted: () => evicted.n++,
      }),
    { keyed: true, processingTime: now },
  );
  await h.open(restored);
  return { h, dropped, evicted };
}

const ev = (id: string | undefined, ts: number, extra: Record<string, unknown> = {}): RuleEvent => ({
  type: 'x',
  ts,
  ...(id === undefined ? {} : { id }),
  ...extra,
});

const ids = (h: OperatorTestHarness<RuleEvent, RuleEvent>): unknown[] =>
  h.extractOutputValues().map((e) => e.id ?? `ts${e.ts as number}`);

describe('EventDeduplicator', () => {
  it('drops an id seen within the window, keeps the first copy and every event without an id', async () => {
    const { h, dropped } = await harness(1_000);
    h.processElement(ev('a', 1), 1);
    h.processElement(ev('b', 2), 2);
    h.processElement(ev('a', 1, { copy: true }), 1);
    h.processElement(ev(undefined, 3), 3);
    h.processElement(ev(undefined, 3), 3); // no id: never deduplicated
    h.processElement(ev('', 4), 4); // an empty id is no id
    h.processElement(ev('', 4), 4);
    h.processElement({ type: 'x', ts: 5, id: 7 }, 5); // a number is not an id
    h.processElement({ type: 'x', ts: 5, id: 7 }, 5);
    h.setProcessingTime(1_000 + WINDOW - 1);
    h.processElement(ev('b', 2), 2); // still within the window
    expect(ids(h)).toEqual(['a', 'b', 'ts3', 'ts3', '', '', 7, 7]);
    expect(h.extractOutputValues()[0]).not.toHaveProperty('copy');
    expect(dropped.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('accepts an id again once the window passed since its first delivery (duplicates do not extend it)', async () => {
    const { h, dropped } = await harness(0);
    h.processElement(ev('a', 1), 1);
    h.setProcessingTime(WINDOW / 2);
    h.processElement(ev('a', 1), 1); // dropped, and does not refresh the entry
    h.setProcessingTime(WINDOW);
    h.processElement(ev('a', 1), 1); // first delivery + window: expired, accepted again
    h.processElement(ev('a', 1), 1); // and remembered again from now
    h.setProcessingTime(2 * WINDOW);
    h.processElement(ev('a', 1), 1);
    expect(ids(h)).toEqual(['a', 'a', 'a']);
    expect(dropped).toHaveLength(2);
  });

  it('still deduplicates after a restore from a checkpoint (serialized as checkpoints store it)', async () => {
    const first = await harness(10_000);
    for (let i = 0; i < 50; i++) first.h.processElement(ev(`e${i}`, i), i);
    first.h.setProcessingTime(20_000);
    for (let i = 50; i < 60; i++) first.h.processElement(ev(`e${i}`, i), i);
    const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(first.h.snapshot()));
    // Events after the checkpoint (lost with the crash) are replayed into the restored instance.
    for (let i = 60; i < 70; i++) first.h.processElement(ev(`e${i}`, i), i);

    const restored = await harness(25_000, [snapshot]);
    // A resend of the whole stream: ids of the checkpoint are duplicates, the others are new.
    for (let i = 0; i < 70; i++) restored.h.processElement(ev(`e${i}`, i), i);
    expect(ids(restored.h)).toEqual(Array.from({ length: 10 }, (_, k) => `e${60 + k}`));
    expect(restored.dropped).toHaveLength(60);

    // The window still counts from the first delivery before the checkpoint: e0..e49 were seen at
    // 10 000, e50..e59 at 20 000.
    const later = await harness(10_000 + WINDOW, [snapshot]);
    for (let i = 0; i < 60; i++) later.h.processElement(ev(`e${i}`, i), i);
    expect(ids(later.h)).toEqual(Array.from({ length: 50 }, (_, k) => `e${k}`));
  });

  it('drops expired ids from snapshots', async () => {
    const { h } = await harness(0);
    for (let i = 0; i < 100; i++) h.processElement(ev(`e${i}`, i), i);
    const full = encodeOperatorSnapshot(h.snapshot()).length;
    h.setProcessingTime(WINDOW);
    h.processElement(ev('late', 1), 1);
    const pruned = encodeOperatorSnapshot(h.snapshot()).length;
    expect(pruned).toBeLessThan(full / 5);
  });

  it('refuses a window that is not positive, and a bound below 1', () => {
    expect(() => new EventDeduplicator({ windowMs: 0 })).toThrow(/positive/);
    expect(() => new EventDeduplicator({ windowMs: 1, maxIds: 0 })).toThrow(/at least 1/);
  });

  it('remembers at most maxIds ids: a new one forgets the oldest, counted', async () => {
    const { h, dropped, evicted } = await harness(0, undefined, 3);
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
      h.setProcessingTime(i);
      h.processElement(ev(id, i), i);
    }
    expect(evicted.n).toBe(1);
    h.processElement(ev('d', 3), 3); // remembered: dropped
    h.processElement(ev('b', 1), 1); // remembered: dropped
    h.processElement(ev('a', 0), 0); // forgotten: passes, and is remembered again (forgets b)
    expect(ids(h)).toEqual(['a', 'b', 'c', 'd', 'a']);
    expect(dropped.map((e) => e.id)).toEqual(['d', 'b']);
    expect(evicted.n).toBe(2);
    h.processElement(ev('c', 2), 2); // still remembered (b went, the oldest)
    expect(dropped.map((e) => e.id)).toEqual(['d', 'b', 'c']);
  });

  it('an id that expired and came back is forgotten only for its new entry', async () => {
    const { h, evicted } = await harness(0, undefined, 2);
    h.processElement(ev('a', 0), 0);
    h.setProcessingTime(WINDOW); // a expired
    h.processElement(ev('a', 1), 1); // remembered again, at WINDOW
    h.processElement(ev('b', 2), 2); // the old entry of a goes from the order: nothing to forget
    expect(evicted.n).toBe(0);
    h.processElement(ev('a', 1), 1); // still remembered: dropped
    expect(ids(h)).toEqual(['a', 'a', 'b']);
  });

  it('restores ids checkpointed before the bound (no first-seen time) as the oldest', async () => {
    const first = await harness(0, undefined, 3);
    first.h.processElement(ev('a', 0), 0);
    first.h.setProcessingTime(5);
    first.h.processElement(ev('b', 1), 1);
    // As a checkpoint of the former stage holds it: `true` for an id, not when it was first seen.
    const backend = (first.h.operator as EventDeduplicator).getKeyedStateBackend()!;
    backend.setCurrentKey('b');
    const seen = backend.getOrCreateKeyedState(
      new ValueStateDescriptor<unknown>('event-dedup-seen').enableTimeToLive(
        StateTtlConfig.newBuilder(WINDOW).build(),
      ),
    );
    seen.update(true);
    const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(first.h.snapshot()));
    const restored = await harness(10, [snapshot], 2);
    restored.h.processElement(ev('c', 2), 2); // forgets b (unknown time: oldest), not a
    restored.h.processElement(ev('a', 0), 0); // dropped
    restored.h.processElement(ev('b', 1), 1); // passes
    expect(ids(restored.h)).toEqual(['c', 'b']);
    expect(restored.dropped.map((e) => e.id)).toEqual(['a']);
  });

  it('keeps the bound and the first-seen order across a restore', async () => {
    const first = await harness(0, undefined, 3);
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      first.h.setProcessingTime(i * 10);
      first.h.processElement(ev(id, i), i);
    }
    const snapshot = decodeOperatorSnapshot(encodeOperatorSnapshot(first.h.snapshot()));
    const restored = await harness(100, [snapshot], 3);
    restored.h.processElement(ev('d', 3), 3); // forgets a, the oldest
    restored.h.processElement(ev('a', 0), 0); // passes; forgets b
    restored.h.processElement(ev('c', 2), 2); // dropped
    expect(ids(restored.h)).toEqual(['d', 'a']);
    expect(restored.evicted.n).toBe(2);
    // A smaller bound after a restore forgets the oldest at once.
    const smaller = await harness(100, [snapshot], 1);
    smaller.h.processElement(ev('c', 2), 2); // dropped: the newest stays
    smaller.h.processElement(ev('a', 0), 0); // passes
    expect(ids(smaller.h)).toEqual(['a']);
  });
});

describe('RulePipeline with dedupe', () => {
  const rules = [
    validated({
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
      alert: { severity: 'low', message: 'x then y for {{key}}' },
    }),
    validated({
      id: 'z-count',
      version: 1,
      status: 'active',
      kind: 'threshold',
      key: ['user'],
      aggregate: 'count',
      filter: 'e.type == "z"',
      window: { type: 'tumbling', size: 'PT5M' },
      compare: { op: '>=', value: 2 },
      alert: { severity: 'low', message: '{{value}} z for {{key}}' },
    }),
  ];
  const events: RuleEvent[] = Array.from({ length: 120 }, (_, n) => ({
    type: ['x', 'y', 'z'][(n * 7) % 3]!,
    user: `u${(n * 5) % 4}`,
    ts: T0 + n * 10_000,
    id: `e${n}`,
  }));
  // Every batch of 10 delivered, then resent once (some twice), as a client whose responses got lost.
  const resent: RuleEvent[] = [];
  for (let b = 0; b < 12; b++) {
    const batch = events.slice(b * 10, b * 10 + 10);
    resent.push(...batch, ...batch);
    if (b % 3 === 0) resent.push(...batch);
  }

  it('gives the alerts of one delivery when batches are resent', async () => {
    const once = await runRules(rules, events, 1);
    expect(once.alerts.length).toBeGreaterThan(10);
    const deduped = await runRules(rules, resent, 2, { dedupe: { windowMs: 3_600_000 } });
    expect(deduped.alerts).toEqual(once.alerts);
    // Without it, the resent events count twice (threshold windows) and match again.
    const doubled = await runRules(rules, resent, 1);
    expect(doubled.alerts).not.toEqual(once.alerts);
  });

  it('adds no stage with windowMs 0', async () => {
    const plain = await runRules(rules, resent, 1, { dedupe: { windowMs: 0 } });
    expect(plain.alerts).toEqual((await runRules(rules, resent, 1)).alerts);
  });
});
