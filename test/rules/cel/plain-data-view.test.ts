import { describe, expect, it } from 'vitest';
import { plainDataView } from '../../../src/rules/cel/plain-data-view.js';

describe('plainDataView', () => {
  it('returns the value itself when no object in it has a `constructor` key', () => {
    const e = JSON.parse('{"type":"a","__proto__":{"x":1},"toString":1,"l":[{"valueOf":2}]}');
    expect(plainDataView(e)).toBe(e);
  });

  it('turns objects with a `constructor` key into Maps, at any depth, copying the path to them', () => {
    const e = JSON.parse('{"type":"a","x":{"l":[1,{"constructor":{"y":2}}]},"z":{"k":1}}');
    const v = plainDataView(e) as Record<string, any>;
    expect(v).not.toBe(e);
    expect(v.z).toBe(e.z);
    const inner = v.x.l[1];
    expect(inner).toBeInstanceOf(Map);
    expect(inner.get('constructor')).toEqual({ y: 2 });
    expect(e.x.l[1]).toEqual({ constructor: { y: 2 } }); // the event is not modified
  });
});
