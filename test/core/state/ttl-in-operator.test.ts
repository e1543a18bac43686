import { describe, expect, it } from 'vitest';
import {
  type Collector,
  type KeyedProcessContext,
  KeyedProcessFunction,
  KeyedProcessOperator,
  OperatorTestHarness,
  StateTtlConfig,
  type ValueState,
  ValueStateDescriptor,
} from '../../../src/core/index.js';

const TTL = 1000;

class LastSeen extends KeyedProcessFunction<string, string, string> {
  private last!: ValueState<number>;

  override open(): void {
    const d = new ValueStateDescriptor<number>('last-seen');
    d.enableTimeToLive(StateTtlConfig.newBuilder(TTL).cleanupIncrementally(10, true).build());
    this.last = this.getRuntimeContext().getState(d);
  }

  processElement(user: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const before = this.last.value();
    this.last.update(ctx.timerService().currentProcessingTime());
    out.collect(`${user}:${before ?? 'new'}`);
  }
}

function harness(): OperatorTestHarness<string, string> {
  return new OperatorTestHarness<string, string>(
    () => new KeyedProcessOperator<string, string, string>(new LastSeen(), (u) => u),
    { keyed: true },
  );
}

const backendOf = (h: OperatorTestHarness<string>) =>
  (h.operator as KeyedProcessOperator<any, any, any>).getKeyedStateBackend()!;

describe('state TTL inside a keyed operator', () => {
  it('expired keys stop being visible and are freed, so idle keys cost nothing', async () => {
    const h = harness();
    await h.open();
    for (let i = 0; i < 1000; i++) h.processElement(`idle-${i}`);
    expect(backendOf(h).numKeys()).toBe(1000);

    h.setProcessingTime(TTL + 1);
    // Each record also cleans 10 more entries (runCleanupForEveryRecord): 100 records free the rest.
    for (let i = 0; i < 100; i++) h.processElement('active');
    expect(backendOf(h).numKeys()).toBe(1);
    expect(backendOf(h).numEntries()).toBe(1);

    // An expired value reads as absent even before cleanup reaches it.
    h.processElement('idle-0');
    expect(h.extractOutputValues().at(-1)).toBe('idle-0:new');
  });

  it('a snapshot leaves expired entries out and frees them', async () => {
    const h = harness();
    await h.open();
    for (let i = 0; i < 50; i++) h.processElement(`k${i}`);
    h.setProcessingTime(TTL / 2);
    h.processElement('fresh');
    h.setProcessingTime(TTL + 10);
    const snapshot = h.snapshot();
    expect(backendOf(h).numKeys()).toBe(1);
    const restored = harness();
    restored.setProcessingTime(TTL + 10);
    await restored.open([snapshot]);
    expect(backendOf(restored).numKeys()).toBe(1);
    restored.processElement('fresh');
    expect(restored.extractOutputValues()).toEqual([`fresh:${TTL / 2}`]);
  });
});
