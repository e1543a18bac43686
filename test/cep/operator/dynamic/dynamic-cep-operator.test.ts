import { describe, expect, it } from 'vitest';
import type { PatternUpdate } from '../../../../src/cep/index.js';
import { DynamicCepOperator } from '../../../../src/cep/operator/dynamic/dynamic-cep-operator.js';
import { OperatorTestHarness } from '../../../../src/core/testing/operator-test-harness.js';
import {
  compileDef,
  type Def,
  Describe,
  type DynamicHarness,
  dynamicHarness,
  type Ev,
  feed,
  keysWithState,
  lateTag,
  rejectedTag,
  seq,
  timedOutTag,
  upsert,
  watermark,
} from './helpers.js';

// The operator driven input by input: the interleaving of pattern updates, events and watermarks
// is exactly what each test says.

async function open(options?: Parameters<typeof dynamicHarness>[0]): Promise<DynamicHarness> {
  const h = dynamicHarness(options);
  await h.open();
  return h;
}

function take(h: DynamicHarness): string[] {
  const out = h.extractOutputValues();
  h.events.length = 0;
  return out;
}

describe('DynamicCepOperator: pattern lifecycle', () => {
  it('a pattern added mid-stream sees only events from its update timestamp on', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, seq('a', 'b')));
    feed(h, 'k:a1@1000');
    watermark(h, 1500);
    h.processElement2(upsert('p2', 1, seq('a', 'b')), 2000);
    feed(h, 'k:a2@1800', 'k:b1@2500', 'k:a3@3000', 'k:b2@3500');
    watermark(h, 4000);
    expect(take(h)).toEqual([
      'p1@v1 k: a1 b1 @2500',
      'p1@v1 k: a2 b1 @2500',
      'p1@v1 k: a3 b2 @3500',
      'p2@v1 k: a3 b2 @3500',
    ]);
  });

  it('a new version drops its own partial matches only; the other pattern completes undisturbed', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, seq('a', 'b', 'c')));
    h.processElement2(upsert('p2', 1, seq('a', 'c')));
    feed(h, 'k:a1@1000', 'k:b1@2000', 'j:a9@1000');
    watermark(h, 2500);
    expect(keysWithState(h, 'p1').sort()).toEqual(['j', 'k']);
    h.processElement2(upsert('p1', 2, seq('a', 'b', 'c')), 2600);
    expect(keysWithState(h, 'p1')).toEqual([]);
    expect(keysWithState(h, 'p2').sort()).toEqual(['j', 'k']);
    feed(h, 'k:c1@3000', 'k:a2@5000', 'k:b2@6000', 'k:c2@7000');
    watermark(h, 8000);
    expect(take(h)).toEqual(['p2@v1 k: a1 c1 @3000', 'p1@v2 k: a2 b2 c2 @7000', 'p2@v1 k: a2 c2 @7000']);
    expect(h.operator.activePatterns()).toEqual([
      { id: 'p1', version: 2 },
      { id: 'p2', version: 1 },
    ]);
  });

  it('pause drops partial matches and stops matching; resume (a new version) starts fresh', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, seq('a', 'b')));
    feed(h, 'k:a1@1000');
    watermark(h, 1500);
    expect(keysWithState(h, 'p1')).toEqual(['k']);
    h.processElement2(upsert('p1', 2, seq('a', 'b'), 'paused'), 1600);
    expect(keysWithState(h, 'p1')).toEqual([]);
    expect(h.operator.activePatterns()).toEqual([]);
    feed(h, 'k:b1@2000', 'k:a2@2200');
    watermark(h, 2500);
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
    h.processElement2(upsert('p1', 3, seq('a', 'b')), 2600);
    feed(h, 'k:b2@3000', 'k:a3@3500', 'k:b3@4000');
    watermark(h, 5000);
    expect(take(h)).toEqual(['p1@v3 k: a3 b3 @4000']);
  });

  it('delete removes the pattern state on every key, leaves the others, and leaves no state behind', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, { ...seq('a', 'b'), within: 10_000 }));
    h.processElement2(upsert('p2', 1, seq('a', 'c')));
    feed(h, 'k1:a1@1000', 'k2:a2@1000', 'k3:c9@1000');
    watermark(h, 1500);
    expect(keysWithState(h, 'p1').sort()).toEqual(['k1', 'k2']);
    h.processElement2({ id: 'p1', version: 2, deleted: true }, 1600);
    expect(keysWithState(h, 'p1')).toEqual([]);
    expect(keysWithState(h, 'p2').sort()).toEqual(['k1', 'k2']);
    // A replay of the old version does not bring it back.
    h.processElement2(upsert('p1', 1, seq('a', 'b')));
    h.processElement2(upsert('p1', 2, seq('a', 'b')));
    expect(h.operator.activePatterns()).toEqual([{ id: 'p2', version: 1 }]);
    feed(h, 'k1:b1@2000', 'k1:c1@2100', 'k2:c2@2200');
    watermark(h, 3000);
    expect(take(h)).toEqual(['p2@v1 k1: a1 c1 @2100', 'p2@v1 k2: a2 c2 @2200']);
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
    // p1's timeout timers went with it; nothing fires for it later.
    watermark(h, 100_000);
    expect(h.sideOutputValues(timedOutTag)).toEqual([]);
  });

  it('deleting the only pattern with partial matches moves the key timeout timer away', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, { ...seq('a', 'b'), within: 10_000 }));
    feed(h, 'k:a1@1000');
    watermark(h, 1500);
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(2); // NFA state + next timeout
    h.processElement2({ id: 'p1', version: 2, deleted: true });
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
  });

  it('stale and replayed versions are ignored (no drop of partial matches)', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 2, seq('a', 'b')));
    feed(h, 'k:a1@1000');
    watermark(h, 1500);
    h.processElement2(upsert('p1', 1, seq('x', 'y')));
    h.processElement2(upsert('p1', 2, seq('a', 'b')));
    feed(h, 'k:b1@2000');
    watermark(h, 2500);
    expect(take(h)).toEqual(['p1@v2 k: a1 b1 @2000']);
    expect(h.operator.activePatterns()).toEqual([{ id: 'p1', version: 2 }]);
  });

  it('rejects malformed updates and definitions that do not compile; the previous version stays', async () => {
    const h = await open();
    h.processElement2(upsert('p1', 1, seq('a', 'b')));
    feed(h, 'k:a1@1000');
    watermark(h, 1500);
    const bad: Def = { stages: [{ name: 'a', kind: 7 as unknown as string }] };
    const duplicate: Def = {
      stages: [
        { name: 'a', kind: 'a' },
        { name: 'a', kind: 'b' },
      ],
    };
    h.processElement2(upsert('p1', 2, bad), 1600);
    h.processElement2(upsert('p1', 3, duplicate), 1700);
    h.processElement2(upsert('p1', 4, { stages: [{ name: 'a', kind: 'a', times: 0 }] }), 1800);
    h.processElement2({ id: '', version: 1, status: 'active', definition: seq('a') }, 1900);
    h.processElement2({ id: 'x', version: 1, status: 'on' } as never, 1950);
    feed(h, 'k:b1@2000');
    watermark(h, 2500);
    const rejected = h.sideOutputValues(rejectedTag);
    expect(take(h)).toEqual(['p1@v1 k: a1 b1 @2000']);
    expect(rejected.map((r) => [r.update.id, r.update.version])).toEqual([
      ['p1', 2],
      ['p1', 3],
      ['p1', 4],
      ['', 1],
      ['x', 1],
    ]);
    expect(rejected[0]!.reason).toContain('kind must be a string');
    expect(rejected[1]!.reason).toMatch(/^MalformedPatternError: Duplicate pattern name: a/);
    expect(rejected[2]!.reason).toMatch(/^MalformedPatternError/);
    expect(rejected[3]!.reason).toBe('id must be a non-empty string');
    expect(rejected[4]!.reason).toBe("status must be 'active' or 'paused'");
    // A later valid version is still accepted.
    h.processElement2(upsert('p1', 5, seq('b', 'a')), 2600);
    expect(h.operator.activePatterns()).toEqual([{ id: 'p1', version: 5 }]);
  });
});

describe('DynamicCepOperator: time', () => {
  it('fires within timeouts and a trailing notFollowedBy by the watermark alone', async () => {
    const h = await open();
    h.processElement2(upsert('ab', 1, { ...seq('a', 'b'), within: 1000 }));
    h.processElement2(upsert('absent', 1, { ...seq('a', ['b', 'notFollowedBy']), within: 1000 }));
    feed(h, 'k1:a1@1000', 'k1:b1@1500', 'k2:a2@1000');
    watermark(h, 1600);
    expect(take(h)).toEqual(['ab@v1 k1: a1 b1 @1500']);
    watermark(h, 1999);
    expect(h.events.filter((e) => e.kind !== 'watermark')).toEqual([]);
    watermark(h, 2000);
    expect(h.extractOutputValues()).toEqual(['absent@v1 k2: a2 @2000']);
    expect(h.sideOutputValues(timedOutTag)).toEqual(['ab@v1 k2: a2 timed out @2000']);
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
  });

  it('sends events at or behind the watermark to the late side output', async () => {
    const h = await open();
    h.processElement2(upsert('ab', 1, seq('a', 'b')));
    feed(h, 'k:a1@1000');
    watermark(h, 2000);
    feed(h, 'k:b1@2000', 'k:b2@1500', 'k:b3@2001');
    watermark(h, 3000);
    expect(h.sideOutputValues(lateTag).map((e) => e.id)).toEqual(['b1', 'b2']);
    expect(h.extractOutputValues()).toEqual(['ab@v1 k: a1 b3 @2001']);
  });

  it('orders equal timestamps by the comparator, then arrival', async () => {
    const h = await open({ comparator: (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) });
    h.processElement2(
      upsert('ab', 1, {
        stages: [
          { name: 'a', kind: 'a' },
          { name: 'b', kind: 'b', rel: 'next' },
        ],
      }),
    );
    feed(h, 'k:b1@1000', 'k:a1@1000');
    watermark(h, 1000);
    expect(take(h)).toEqual(['ab@v1 k: a1 b1 @1000']);
  });

  it('processing time: matches on arrival, timeouts by processing-time timers', async () => {
    const h = await open({ eventTime: false, processingTime: 0 });
    h.processElement2(upsert('ab', 1, { ...seq('a', 'b'), within: 100 }));
    feed(h, 'k1:a1@0', 'k1:b1@0', 'k2:a2@0');
    expect(take(h)).toEqual(['ab@v1 k1: a1 b1 @0']);
    h.setProcessingTime(50);
    h.processElement2(upsert('ac', 1, seq('a', 'c')));
    feed(h, 'k2:c2@0');
    expect(take(h)).toEqual([]); // ac was added after a2
    h.setProcessingTime(99);
    expect(h.sideOutputValues(timedOutTag)).toEqual([]);
    h.setProcessingTime(100);
    expect(h.sideOutputValues(timedOutTag)).toEqual(['ab@v1 k2: a2 timed out @100']);
    expect(h.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
  });
});

describe('DynamicCepOperator: snapshot and restore', () => {
  const script: Array<(h: DynamicHarness) => void> = [
    (h) => h.processElement2(upsert('abc', 1, { ...seq('a', 'b', 'c'), within: 5000 })),
    (h) => h.processElement2(upsert('ac', 1, seq('a', 'c'))),
    (h) => h.processElement2(upsert('gone', 1, seq('x', 'y'))),
    (h) => feed(h, 'k1:a1@1000', 'k2:a2@1100', 'k1:b1@1200', 'k2:x1@1300'),
    (h) => watermark(h, 1500),
    (h) => h.processElement2({ id: 'gone', version: 2, deleted: true }, 1500),
    (h) => feed(h, 'k1:b2@1700', 'k3:a3@1800', 'k2:b3@2500'), // buffered at the snapshot
    // --- snapshot here ---
    (h) => watermark(h, 2000),
    (h) => feed(h, 'k1:c1@3000', 'k2:c2@3100'),
    (h) => h.processElement2(upsert('ac', 2, seq('a', 'c')), 3200),
    (h) => feed(h, 'k3:c3@4000', 'k3:b4@4100', 'k3:a4@4200', 'k3:c4@4300'),
    (h) => watermark(h, 6000),
    (h) => watermark(h, 20_000),
  ];
  const split = 7;

  function outputsOf(h: DynamicHarness): string[] {
    return h.events.flatMap((e) =>
      e.kind === 'record'
        ? [`${e.value} ts=${e.timestamp}`]
        : e.kind === 'side'
          ? [`${e.tag}: ${String(e.value)}`]
          : [],
    );
  }

  it('restores into a new operator that continues exactly like an uninterrupted one', async () => {
    const whole = await open();
    for (const step of script.slice(0, split)) step(whole);
    whole.events.length = 0;
    for (const step of script.slice(split)) step(whole);
    const expected = outputsOf(whole);
    // Per key in timestamp order; ac v1 lost a1 (replaced before c1 was due), v2 starts at 3200.
    expect(expected).toEqual([
      'abc@v1 k2: a2 b3 c2 @3100 ts=3100',
      'abc@v1 k1: a1 b1 c1 @3000 ts=3000',
      'abc@v1 k3: a3 b4 c4 @4300 ts=4300',
      'ac@v2 k3: a4 c4 @4300 ts=4300',
      'timed-out: abc@v1 k3: a4 timed out @9200',
    ]);

    const before = await open();
    for (const step of script.slice(0, split)) step(before);
    const snapshot = before.snapshot();
    await before.close();
    const after = dynamicHarness();
    await after.open([snapshot]);
    expect(after.operator.activePatterns()).toEqual([
      { id: 'abc', version: 1 },
      { id: 'ac', version: 1 },
    ]);
    expect(keysWithState(after, 'abc').sort()).toEqual(['k1', 'k2']);
    for (const step of script.slice(split)) step(after);
    expect(outputsOf(after)).toEqual(expected);
    expect(after.operator.getKeyedStateBackend()!.numEntries()).toBe(0);
  });

  it('restores at a higher parallelism: every subtask gets the patterns, each its keys', async () => {
    const before = await open();
    before.processElement2(upsert('ab', 1, seq('a', 'b')));
    before.processElement2(upsert('paused', 2, seq('a', 'c'), 'paused'));
    const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
    feed(before, ...keys.map((k) => `${k}:a1@1000`));
    watermark(before, 1500);
    const snapshot = before.snapshot();
    const outputs: string[] = [];
    for (const subtaskIndex of [0, 1]) {
      const h = new OperatorTestHarness<string, Ev, PatternUpdate<Def>>(
        () =>
          new DynamicCepOperator<Ev, string, Def, string>(new Describe(), {
            compile: compileDef,
            keySelector: (e) => e.key,
            eventTime: true,
            comparator: undefined,
            lateDataTag: undefined,
            rejectedUpdatesTag: undefined,
          }),
        { keyed: true, parallelism: 2, subtaskIndex },
      ) as DynamicHarness;
      await h.open([snapshot]);
      expect(h.operator.activePatterns()).toEqual([{ id: 'ab', version: 1 }]);
      // The paused pattern's version is remembered: replaying it is ignored, a newer one applies.
      h.processElement2(upsert('paused', 2, seq('a', 'c')));
      expect(h.operator.activePatterns()).toEqual([{ id: 'ab', version: 1 }]);
      const mine = keysWithState(h, 'ab') as string[];
      expect(mine.length).toBeGreaterThan(0);
      feed(h, ...mine.map((k) => `${k}:b1@2000`));
      watermark(h, 3000);
      outputs.push(...h.extractOutputValues());
    }
    expect(outputs.sort()).toEqual(keys.map((k) => `ab@v1 ${k}: a1 b1 @2000`).sort());
  });
});
