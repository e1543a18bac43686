import { describe, expect, it } from 'vitest';
import { createRestartBackoffStrategy } from '../../../src/core/restart/restart-backoff-strategy.js';
import { RestartStrategies } from '../../../src/core/restart/restart-strategies.js';

describe('restart strategies', () => {
  it('noRestart never restarts', () => {
    const s = createRestartBackoffStrategy(RestartStrategies.noRestart());
    s.notifyFailure(0);
    expect(s.canRestart(0)).toBe(false);
  });

  it('fixedDelayRestart allows exactly `attempts` restarts, each after the delay', () => {
    const s = createRestartBackoffStrategy(RestartStrategies.fixedDelayRestart(2, 250));
    expect(s.getBackoffTime()).toBe(250);
    s.notifyFailure(0);
    expect(s.canRestart(0)).toBe(true);
    s.notifyFailure(1);
    expect(s.canRestart(1)).toBe(true);
    s.notifyFailure(2);
    expect(s.canRestart(2)).toBe(false);
  });

  it('failureRateRestart fails at the max-th failure within the interval (Flink semantics)', () => {
    const s = createRestartBackoffStrategy(RestartStrategies.failureRateRestart(3, 1000, 5));
    s.notifyFailure(0);
    s.notifyFailure(100);
    expect(s.canRestart(100)).toBe(true);
    s.notifyFailure(1001); // the failure at 0 is out of the window ending at 1001
    expect(s.canRestart(1001)).toBe(true);
    s.notifyFailure(1050); // 100, 1001, 1050 within 1000 ms
    expect(s.canRestart(1050)).toBe(false);
  });

  it('validates its arguments', () => {
    expect(() => RestartStrategies.fixedDelayRestart(-1, 0)).toThrow(/attempts/);
    expect(() => RestartStrategies.failureRateRestart(0, 1, 1)).toThrow(/max failures/);
    expect(() => RestartStrategies.fixedDelayRestart(1, Number.NaN)).toThrow(/delay/);
  });
});
