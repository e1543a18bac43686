import { describe, expect, it } from 'vitest';
import { PrintSink, type PrintTarget } from '../../../src/core/connectors/print-sink.js';
import type { SinkWriterContext } from '../../../src/core/connectors/sink.js';

const context: SinkWriterContext = { timestamp: () => null, currentWatermark: () => 0 };

class FakeStream implements PrintTarget {
  text = '';
  accept = true;
  private drainListeners: Array<() => void> = [];
  write(text: string): boolean {
    this.text += text;
    return this.accept;
  }
  once(_event: 'drain', listener: () => void): void {
    this.drainListeners.push(listener);
  }
  drain(): void {
    const listeners = this.drainListeners;
    this.drainListeners = [];
    for (const l of listeners) l();
  }
}

function print<T>(sink: PrintSink<T>, values: T[], parallelism: number, subtaskIndex = 0): void {
  const writer = sink.createWriter({ subtaskIndex, parallelism });
  for (const v of values) writer.write(v, context);
}

describe('PrintSink', () => {
  it("uses Flink's prefixes: prefix:n> with parallelism > 1 (1-based), prefix> or nothing with 1", () => {
    const out = new FakeStream();
    print(new PrintSink('out', false, { target: out }), ['a'], 3, 1);
    print(new PrintSink('out', false, { target: out }), ['b'], 1);
    print(new PrintSink('', false, { target: out }), ['c'], 2, 0);
    print(new PrintSink<string>(undefined, false, { target: out }), ['d'], 1);
    expect(out.text).toBe('out:2> a\nout> b\n1> c\nd\n');
  });

  it('prints objects on one line and uses custom toString and formats', () => {
    const out = new FakeStream();
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      toString(): string {
        return `(${this.x}, ${this.y})`;
      }
    }
    print(
      new PrintSink<unknown>('p', false, { target: out }),
      [{ a: 1, b: [1, 2] }, new Point(1, 2), 42, null],
      1,
    );
    print(new PrintSink<number>('f', false, { target: out, format: (n) => n.toFixed(2) }), [1], 1);
    expect(out.text).toBe('p> { a: 1, b: [ 1, 2 ] }\np> (1, 2)\np> 42\np> null\nf> 1.00\n');
  });

  it('waits for drain when the stream is full', async () => {
    const out = new FakeStream();
    const writer = new PrintSink<string>('x', false, { target: out }).createWriter({
      subtaskIndex: 0,
      parallelism: 1,
    });
    expect(writer.write('a', context)).toBeUndefined();
    out.accept = false;
    const pending = writer.write('b', context);
    expect(pending).toBeInstanceOf(Promise);
    out.drain();
    await pending;
    expect(out.text).toBe('x> a\nx> b\n');
  });

  it('writes to stdout or stderr by default', () => {
    expect(new PrintSink('x').stderr).toBe(false);
    expect(new PrintSink('x', true).stderr).toBe(true);
  });
});
