import { describe, expect, it } from 'vitest';
import {
  type Collector,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type KeyedProcessContext,
  KeyedProcessFunction,
  KeyedProcessOperator,
  OperatorTestHarness,
} from '../../../src/core/index.js';

/** Reports the operator's event-time clock with every record. */
class WatermarkReporter extends KeyedProcessFunction<string, string, string> {
  processElement(v: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`${v}@${ctx.timerService().currentWatermark()}`);
  }
}

const factory = () => new KeyedProcessOperator<string, string, string>(new WatermarkReporter(), (v) => v);

describe('operator snapshot bytes', () => {
  it('carry the operator watermark across a restore', async () => {
    const h = new OperatorTestHarness<string, string>(factory, { keyed: true });
    await h.open();
    h.processWatermark(100);
    h.processElement('a', 150);
    const bytes = encodeOperatorSnapshot(h.snapshot());
    const restored = new OperatorTestHarness<string, string>(factory, { keyed: true });
    await restored.open([decodeOperatorSnapshot(bytes)]);
    restored.processElement('b', 160);
    expect(h.extractOutputValues()).toEqual(['a@100']);
    expect(restored.extractOutputValues()).toEqual(['b@100']);
    // A watermark at or below the restored one is not an advance.
    restored.processWatermark(90);
    expect(restored.watermarks()).toEqual([]);
    restored.processWatermark(120);
    expect(restored.watermarks()).toEqual([120]);
  });

  it('rejects bytes that are not a snapshot or come from a newer format', () => {
    expect(() => decodeOperatorSnapshot(new Uint8Array([1, 2, 3, 4]))).toThrow('not an operator snapshot');
    const bytes = encodeOperatorSnapshot({ watermark: 0 });
    bytes[2] = 99;
    expect(() => decodeOperatorSnapshot(bytes)).toThrow('format 99 is not supported');
  });
});
