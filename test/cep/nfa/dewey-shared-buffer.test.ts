import { describe, expect, it } from 'vitest';
import { DeweyNumber, SharedBuffer } from '../../../src/cep/nfa/index.js';

describe('DeweyNumber (as in Flink)', () => {
  it('increase, addStage, toString, fromString', () => {
    const v = DeweyNumber.of(1).addStage().increase(2);
    expect(String(v)).toBe('1.2');
    expect(DeweyNumber.fromString('1.2').equals(v)).toBe(true);
    expect(v.length()).toBe(2);
    expect(v.getRun(1)).toBe(2);
    expect(DeweyNumber.fromArray(v.toArray()).equals(v)).toBe(true);
  });
  it('compatibility: a descendant or a later sibling', () => {
    const d = DeweyNumber.fromString;
    expect(d('1.1.2').isCompatibleWith(d('1.1'))).toBe(true);
    expect(d('1.2').isCompatibleWith(d('1.1'))).toBe(true);
    expect(d('1.1').isCompatibleWith(d('1.2'))).toBe(false);
    expect(d('1.1').isCompatibleWith(d('1.1.0'))).toBe(false);
    expect(d('2.0').isCompatibleWith(d('1'))).toBe(false);
  });
  it('rejects invalid digits', () => {
    expect(() => DeweyNumber.fromArray([])).toThrow();
    expect(() => DeweyNumber.fromArray([1, -1])).toThrow();
  });
});

describe('SharedBuffer', () => {
  it('shares prefixes, extracts per stage, and releases nodes and events by reference count', () => {
    const buffer = new SharedBuffer<string>();
    const v = DeweyNumber.of(1);
    const e0 = buffer.registerEvent('a0', 0);
    const n0 = buffer.put('a', e0, null, v);
    buffer.lockNode(n0);
    buffer.releaseEvent(e0);
    const e1 = buffer.registerEvent('b1', 1);
    const n1 = buffer.put('b', e1, n0, v); // branch 1
    const n2 = buffer.put('b2', e1, n0, v.increase()); // branch 2, same event
    buffer.lockNode(n1);
    buffer.lockNode(n2);
    buffer.releaseEvent(e1);
    buffer.releaseNode(n0); // the run that was at n0 moved on
    expect(buffer.eventCount()).toBe(2);
    expect(buffer.nodeCount()).toBe(3);
    expect(buffer.extractMatch(n1)).toEqual(
      new Map([
        ['a', ['a0']],
        ['b', ['b1']],
      ]),
    );
    expect(buffer.eventsForStage(n2, 'b2')).toEqual(['b1']);
    buffer.releaseNode(n1);
    expect(buffer.nodeCount()).toBe(2);
    expect(buffer.eventCount()).toBe(2);
    const copy = SharedBuffer.fromData(structuredClone(buffer.toData()));
    expect(copy.extractMatch(n2)).toEqual(buffer.extractMatch(n2));
    buffer.releaseNode(n2);
    expect(buffer.isEmpty()).toBe(true);
  });
  it('an event nobody takes is dropped when released', () => {
    const buffer = new SharedBuffer<string>();
    buffer.releaseEvent(buffer.registerEvent('x', 0));
    expect(buffer.isEmpty()).toBe(true);
  });
});
