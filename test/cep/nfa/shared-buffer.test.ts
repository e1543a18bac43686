import { describe, expect, it } from 'vitest';
import { SharedBuffer } from '../../../src/cep/nfa/index.js';

describe('SharedBuffer', () => {
  it('shares prefixes, extracts per stage, and releases nodes and events by reference count', () => {
    const buffer = new SharedBuffer<string>();
    const n0 = buffer.put('a', buffer.createEvent('a0', 0), null);
    buffer.lockNode(n0);
    const e1 = buffer.createEvent('b1', 1);
    const n1 = buffer.put('b', e1, n0); // branch 1
    const n2 = buffer.put('b2', e1, n0); // branch 2, same event
    buffer.lockNode(n1);
    buffer.lockNode(n2);
    buffer.releaseNode(n0); // the run that was at n0 moved on
    expect(buffer.eventCount()).toBe(2);
    expect(buffer.nodeCount()).toBe(3);
    expect(buffer.extractMatch(n1)).toEqual(
      new Map([
        ['a', ['a0']],
        ['b', ['b1']],
      ]),
    );
    expect(buffer.extractEventIds(n2)).toEqual(
      new Map([
        ['a', [0]],
        ['b2', [1]],
      ]),
    );
    expect(buffer.eventIdsOnPath(n1)).toEqual([0, 1]);
    expect(buffer.eventsForStage(n2, 'b2')).toEqual(['b1']);
    buffer.releaseNode(n1);
    expect(buffer.nodeCount()).toBe(2);
    expect(buffer.eventCount()).toBe(2);
    buffer.releaseNode(n2);
    expect(buffer.isEmpty()).toBe(true);
  });

  it('round-trips the reachable nodes through plain data, each node and event once', () => {
    const buffer = new SharedBuffer<string>();
    const a = buffer.put('a', buffer.createEvent('a0', 0), null);
    const e1 = buffer.createEvent('b1', 1);
    const b1 = buffer.put('b', e1, a);
    const b2 = buffer.put('c', e1, a);
    buffer.lockNode(b1);
    buffer.lockNode(b2);
    const data = structuredClone(buffer.toData([b1, null, b2]));
    expect(data.nodes).toHaveLength(3);
    expect(data.events).toHaveLength(2);
    expect(data.roots[1]).toBeNull();
    const { buffer: copy, roots } = SharedBuffer.fromData(data);
    for (const r of roots) if (r !== null) copy.lockNode(r);
    expect(copy.nodeCount()).toBe(3);
    expect(copy.eventCount()).toBe(2);
    expect(copy.extractMatch(roots[0]!)).toEqual(buffer.extractMatch(b1));
    expect(copy.extractMatch(roots[2]!)).toEqual(buffer.extractMatch(b2));
    // Ids go on from where they were, so skip strategies still order old and new events.
    expect(copy.createEvent('x', 2).id).toBe(2);
    copy.releaseNode(roots[0]!);
    copy.releaseNode(roots[2]!);
    expect(copy.isEmpty()).toBe(true);
  });

  it('an event nobody takes is never counted', () => {
    const buffer = new SharedBuffer<string>();
    buffer.createEvent('x', 0);
    expect(buffer.isEmpty()).toBe(true);
  });

  it('refuses corrupt data', () => {
    expect(() =>
      SharedBuffer.fromData({ nextEventId: 1, events: [], nodes: [[0, 'a', 0, null]], roots: [0] }),
    ).toThrow(/missing event/);
  });
});
