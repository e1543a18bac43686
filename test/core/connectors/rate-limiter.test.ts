import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/core/connectors/rate-limiter.js';

class FakeClock {
  constructor(public time = 1000) {}
  now(): number {
    return this.time;
  }
}

function acquireAll(limiter: RateLimiter): number {
  let n = 0;
  while (limiter.tryAcquire()) n++;
  return n;
}

describe('RateLimiter', () => {
  it('grants one period budget, then nothing until the next period', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(100, { clock }); // 10 per 100 ms period
    expect(acquireAll(limiter)).toBe(10);
    expect(limiter.delayUntilNextPermit()).toBe(100);
    clock.time += 99;
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.delayUntilNextPermit()).toBe(1);
    clock.time += 1;
    expect(acquireAll(limiter)).toBe(10);
  });

  it('keeps the long-run rate for fractional budgets', () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(15, { clock }); // 1.5 per period
    let total = 0;
    for (let period = 0; period < 100; period++) {
      total += acquireAll(limiter);
      clock.time += 100;
    }
    // 10 s at 15/s, plus the initial permit budget
    expect(total).toBeGreaterThanOrEqual(149);
    expect(total).toBeLessThanOrEqual(151);
  });

  it('starts with one permit at rates below one per period and then waits for the next', () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(1, { clock }); // 0.1 per period
    expect(acquireAll(limiter)).toBe(1);
    expect(limiter.delayUntilNextPermit()).toBe(1000);
    clock.time = 999;
    expect(limiter.tryAcquire()).toBe(false);
    clock.time = 1000;
    expect(acquireAll(limiter)).toBe(1);
  });

  it('does not save up permits while idle', () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(100, { clock });
    acquireAll(limiter);
    clock.time += 60_000;
    expect(acquireAll(limiter)).toBeLessThanOrEqual(11);
  });

  it('resolves whenAvailable with a timer and shares the promise', async () => {
    const limiter = new RateLimiter(1000, { periodMs: 20 }); // 20 per period
    expect(await Promise.race([limiter.whenAvailable(), 'pending'])).toBeUndefined();
    while (limiter.tryAcquire()) {}
    const wait = limiter.whenAvailable();
    expect(limiter.whenAvailable()).toBe(wait);
    await wait;
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('releases waiters on close', async () => {
    const limiter = new RateLimiter(1, { periodMs: 60_000 });
    while (limiter.tryAcquire()) {}
    const wait = limiter.whenAvailable();
    limiter.close();
    await wait;
  });

  it('rejects bad rates', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
    expect(() => new RateLimiter(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
