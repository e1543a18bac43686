import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/rules/index.js';

describe('parseDurationMs', () => {
  it.each([
    [1500, 1500],
    ['PT5M', 300_000],
    ['PT1.5S', 1500],
    ['P1DT12H', 129_600_000],
    ['P30D', 2_592_000_000],
    ['PT1H30M', 5_400_000],
  ])('%j -> %j ms', (spec, ms) => {
    expect(parseDurationMs(spec)).toBe(ms);
  });

  it.each([0, -1, 1.5, Number.NaN, 'P', 'PT', 'P1Y', 'P1M', '5m', 'PT-1S', 'PT0S', 'pt5m', ''])(
    'refuses %j',
    (spec) => {
      expect(parseDurationMs(spec as never)).toBeUndefined();
    },
  );
});
