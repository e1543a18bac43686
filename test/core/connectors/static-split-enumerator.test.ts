import { describe, expect, it } from 'vitest';
import type { SourceSplit, SplitEnumeratorContext } from '../../../src/core/connectors/source.js';
import { StaticSplitEnumerator } from '../../../src/core/connectors/static-split-enumerator.js';

interface Split extends SourceSplit {
  readonly splitId: string;
}

/** Records what the enumerator does, readers registered as given. */
function fakeContext(parallelism: number, registered: number[] = []) {
  const events: string[] = [];
  const context: SplitEnumeratorContext<Split> = {
    currentParallelism: () => parallelism,
    registeredReaders: () => [...registered],
    assignSplit: (split, subtask) => events.push(`${split.splitId}->${subtask}`),
    signalNoMoreSplits: (subtask) => events.push(`end->${subtask}`),
  };
  return { context, events, registered };
}

const splits = (n: number): Split[] => Array.from({ length: n }, (_, i) => ({ splitId: `s${i}` }));

describe('StaticSplitEnumerator (round-robin)', () => {
  it('assigns split i to subtask i % parallelism at start and signals no more splits', () => {
    const { context, events } = fakeContext(3, [0, 1, 2]);
    const enumerator = new StaticSplitEnumerator(context, splits(5));
    enumerator.start();
    expect(events).toEqual(['s0->0', 's3->0', 'end->0', 's1->1', 's4->1', 'end->1', 's2->2', 'end->2']);
    expect(enumerator.snapshotState(1)).toEqual([]);
  });

  it('holds splits for readers that register after start and reports them as unassigned', () => {
    const { context, events, registered } = fakeContext(2, [1]);
    const enumerator = new StaticSplitEnumerator(context, splits(3));
    enumerator.start();
    expect(events).toEqual(['s1->1', 'end->1']);
    expect(enumerator.snapshotState(1)).toEqual([{ splitId: 's0' }, { splitId: 's2' }]);
    registered.push(0);
    enumerator.addReader(0);
    expect(events).toEqual(['s1->1', 'end->1', 's0->0', 's2->0', 'end->0']);
    expect(enumerator.snapshotState(2)).toEqual([]);
  });

  it('gives splits back to a failed subtask when its reader registers again', () => {
    const { context, events, registered } = fakeContext(2, [0, 1]);
    const enumerator = new StaticSplitEnumerator(context, splits(2));
    enumerator.start();
    events.length = 0;
    registered.splice(registered.indexOf(1), 1);
    enumerator.addSplitsBack([{ splitId: 's1' }], 1);
    expect(events).toEqual([]);
    expect(enumerator.snapshotState(1)).toEqual([{ splitId: 's1' }]);
    registered.push(1);
    enumerator.addReader(1);
    expect(events).toEqual(['s1->1', 'end->1']);
  });

  it('delivers splits given back at once when the reader is still registered', () => {
    const { context, events } = fakeContext(2, [0, 1]);
    const enumerator = new StaticSplitEnumerator(context, splits(2));
    enumerator.start();
    events.length = 0;
    enumerator.addSplitsBack([{ splitId: 's0' }], 0);
    expect(events).toEqual(['s0->0', 'end->0']);
  });

  it('restores from its snapshot: the unassigned splits are spread again', () => {
    const { context, events } = fakeContext(2, []);
    const enumerator = new StaticSplitEnumerator(context, splits(4));
    enumerator.start();
    const state = enumerator.snapshotState(1);
    expect(state.map((s) => s.splitId)).toEqual(['s0', 's2', 's1', 's3']);
    const restored = fakeContext(2, [0, 1]);
    new StaticSplitEnumerator(restored.context, state).start();
    expect(restored.events).toEqual(['s0->0', 's1->0', 'end->0', 's2->1', 's3->1', 'end->1']);
    expect(events).toEqual([]);
  });

  it('ignores split requests', () => {
    const { context, events } = fakeContext(1, [0]);
    const enumerator = new StaticSplitEnumerator(context, splits(1));
    enumerator.start();
    events.length = 0;
    enumerator.handleSplitRequest(0);
    expect(events).toEqual([]);
  });
});

describe('StaticSplitEnumerator (on-request)', () => {
  it('hands out one split per request in order, then no more splits', () => {
    const { context, events } = fakeContext(2, [0, 1]);
    const enumerator = new StaticSplitEnumerator(context, splits(3), { assignment: 'on-request' });
    enumerator.start();
    enumerator.addReader(0);
    expect(events).toEqual([]);
    enumerator.handleSplitRequest(1);
    enumerator.handleSplitRequest(0);
    expect(enumerator.snapshotState(1)).toEqual([{ splitId: 's2' }]);
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(1);
    expect(events).toEqual(['s0->1', 's1->0', 's2->0', 'end->1']);
  });

  it('hands out splits given back first', () => {
    const { context, events } = fakeContext(1, [0]);
    const enumerator = new StaticSplitEnumerator(context, splits(2), { assignment: 'on-request' });
    enumerator.start();
    enumerator.handleSplitRequest(0);
    enumerator.addSplitsBack([{ splitId: 's0' }], 0);
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(0);
    enumerator.handleSplitRequest(0);
    expect(events).toEqual(['s0->0', 's0->0', 's1->0', 'end->0']);
  });
});
