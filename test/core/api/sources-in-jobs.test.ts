import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CollectSink,
  DataGeneratorSource,
  FileSource,
  JobExecutionError,
  LineFileSink,
  PrintSink,
  type PrintTarget,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from '../../../src/core/index.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sources-in-jobs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function textFile(name: string, lines: readonly string[], trailingNewline = true): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + (trailingNewline ? '\n' : ''));
  return path;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('readTextFile', () => {
  it('reads the lines of a file in order at parallelism 1', async () => {
    const lines = range(5000).map((i) => `line ${i} ${'x'.repeat(i % 50)}`);
    const path = await textFile('single.txt', lines);
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    expect(await env.readTextFile(path).executeAndCollect()).toEqual(lines);
  });

  it('keeps a last line without a line break and handles CRLF and UTF-8', async () => {
    const path = join(dir, 'crlf.txt');
    await writeFile(path, 'héllo\r\nwörld 🌍\r\nlast');
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    expect(await env.readTextFile(path).executeAndCollect()).toEqual(['héllo', 'wörld 🌍', 'last']);
  });

  it('reads 2 files at parallelism 2: every line once, each file in order', async () => {
    const a = range(3000).map((i) => `a:${i}`);
    const b = range(2000).map((i) => `b:${i}`);
    const pa = await textFile('a.txt', a);
    const pb = await textFile('b.txt', b, false);
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const sink = new CollectSink<string>();
    env.readTextFile(pa, pb).sinkTo(sink);
    await env.execute('two files');

    expect(sink.values).toHaveLength(5000);
    expect(sink.values.filter((l) => l.startsWith('a:'))).toEqual(a);
    expect(sink.values.filter((l) => l.startsWith('b:'))).toEqual(b);
    // A file is one split, read by one reader (the sink is chained, so its writer index is the reader's).
    const readersOf = (prefix: string) =>
      new Set(sink.records.filter((r) => r.value.startsWith(prefix)).map((r) => r.subtaskIndex));
    expect(readersOf('a:').size).toBe(1);
    expect(readersOf('b:').size).toBe(1);
  });

  it('reads a directory (files in name order, hidden files skipped) through FileSource in fromSource', async () => {
    const sub = await mkdtemp(join(dir, 'dir-'));
    await writeFile(join(sub, '2.txt'), 'two\n');
    await writeFile(join(sub, '1.txt'), 'one\n');
    await writeFile(join(sub, '.hidden'), 'secret\n');
    await writeFile(join(sub, '_tmp'), 'in progress\n');
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromSource(FileSource.forTextLines(sub), WatermarkStrategy.noWatermarks(), 'dir source')
      .executeAndCollect();
    expect(out).toEqual(['one', 'two']);
  });

  it('fails the job when a file does not exist', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.readTextFile(join(dir, 'missing.txt')).sinkTo(new CollectSink());
    const err = await env.execute().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobExecutionError);
    expect((err as Error).message).toMatch(/ENOENT|no such file/);
  });
});

describe('fromSequence', () => {
  it('emits each number exactly once at parallelism 3, each reader a contiguous ascending range', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const sink = new CollectSink<number>();
    env.fromSequence(-500, 9499).sinkTo(sink);
    await env.execute();
    expect([...sink.values].sort((a, b) => a - b)).toEqual(range(10_000, -500));
    const bySubtask = new Map<number, number[]>();
    for (const r of sink.records)
      bySubtask.set(r.subtaskIndex, [...(bySubtask.get(r.subtaskIndex) ?? []), r.value]);
    expect([...bySubtask.keys()].sort()).toEqual([0, 1, 2]);
    for (const values of bySubtask.values()) {
      for (let i = 1; i < values.length; i++) expect(values[i]).toBe(values[i - 1]! + 1);
    }
  });

  it('a sequence of one number and one shorter than the parallelism', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    expect(await env.fromSequence(7, 7).executeAndCollect()).toEqual([7]);
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 4 });
    expect((await env2.fromSequence(1, 2).executeAndCollect()).sort()).toEqual([1, 2]);
  });
});

describe('fromAsyncIterable', () => {
  it('reads an async generator (with awaits between items) in order', async () => {
    async function* gen(): AsyncGenerator<{ i: number }> {
      for (let i = 0; i < 1000; i++) {
        if (i % 7 === 0) await nextTurn();
        yield { i };
      }
    }
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 3 });
    const out = await env
      .fromAsyncIterable(gen)
      .map((r) => r.i)
      .executeAndCollect();
    expect(out).toEqual(range(1000));
  });

  it('reads a sync iterable too, and calls the factory once per run', async () => {
    let calls = 0;
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromAsyncIterable(() => {
        calls++;
        return new Set(['a', 'b', 'c']);
      })
      .executeAndCollect();
    expect(out).toEqual(['a', 'b', 'c']);
    expect(calls).toBe(1);
  });

  it('an empty async iterable ends the job with no records', async () => {
    async function* empty(): AsyncGenerator<number> {}
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    expect(await env.fromAsyncIterable(empty).executeAndCollect()).toEqual([]);
  });
});

describe('DataGeneratorSource through env.fromSource', () => {
  it('emits generator(i) for every index once, split over the readers', async () => {
    const source = new DataGeneratorSource((i) => ({ id: i, label: `item-${i}` }), 5000);
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const stream = env.fromSource(source, WatermarkStrategy.noWatermarks(), 'generated items');
    const sink = new CollectSink<{ id: number; label: string }>();
    stream.sinkTo(sink);
    expect(env.getJobGraph().vertices[0]!.name).toBe('generated items -> Sink');
    await env.execute();
    expect(sink.values.map((v) => v.id).sort((a, b) => a - b)).toEqual(range(5000));
    for (const v of sink.values) expect(v.label).toBe(`item-${v.id}`);
    expect(new Set(sink.records.map((r) => r.subtaskIndex))).toEqual(new Set([0, 1]));
  });

  it('count 0 makes an empty bounded stream', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    const out = await env
      .fromSource(new DataGeneratorSource((i) => i, 0), WatermarkStrategy.noWatermarks(), 'none')
      .executeAndCollect();
    expect(out).toEqual([]);
  });

  it('the reader emits in index order with a rate limit, and the job finishes', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    const out = await env
      .fromSource(
        new DataGeneratorSource((i) => i * 2, 50, { recordsPerSecond: 5000 }),
        WatermarkStrategy.noWatermarks(),
        'rate limited',
      )
      .executeAndCollect();
    expect(out).toEqual(range(50).map((i) => i * 2));
  });
});

describe('LineFileSink in a job', () => {
  it('writes one part file per writer with all records, in each writer order', async () => {
    const outDir = join(dir, 'out-lines');
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env
      .fromSequence(0, 4999)
      .map((i) => ({ id: i, even: i % 2 === 0 }))
      .sinkTo(new LineFileSink(outDir, { suffix: '.jsonl', bufferSize: 1000 }));
    await env.execute('file sink');

    expect((await readdir(outDir)).sort()).toEqual(['part-0.jsonl', 'part-1.jsonl']);
    const all: number[] = [];
    for (const name of ['part-0.jsonl', 'part-1.jsonl']) {
      const text = await readFile(join(outDir, name), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const ids = text
        .trimEnd()
        .split('\n')
        .map((line) => {
          const rec = JSON.parse(line) as { id: number; even: boolean };
          expect(rec.even).toBe(rec.id % 2 === 0);
          return rec.id;
        });
      // Chained to a sequence reader: ascending within the file.
      for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
      all.push(...ids);
    }
    expect(all.sort((a, b) => a - b)).toEqual(range(5000));
  });

  it('uses a custom format and prefix; a later run truncates the files', async () => {
    const outDir = join(dir, 'out-format');
    const sink = () =>
      new LineFileSink<[string, number]>(outDir, { prefix: 'counts', format: (t) => `${t[0]}=${t[1]}` });
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env.fromElements<[string, number]>(['a', 1], ['b', 2]).sinkTo(sink());
    await env.execute();
    expect(await readFile(join(outDir, 'counts-0'), 'utf8')).toBe('a=1\nb=2\n');
    env.fromElements<[string, number]>(['c', 3]).sinkTo(sink());
    await env.execute();
    expect(await readFile(join(outDir, 'counts-0'), 'utf8')).toBe('c=3\n');
  });
});

/** A fake stdout: records the text written. */
function fakeTarget(): PrintTarget & { text: string[] } {
  const text: string[] = [];
  return {
    text,
    write(s: string) {
      text.push(s);
      return true;
    },
  };
}

describe('PrintSink in a job', () => {
  it('parallelism 1: `prefix> value`, strings as is and objects inspected on one line', async () => {
    const target = fakeTarget();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env
      .fromElements<unknown>('hello', 42, { a: 1, b: [1, 2] }, [3, 4])
      .sinkTo(new PrintSink('out', false, { target }));
    await env.execute();
    expect(target.text).toEqual([
      'out> hello\n',
      'out> 42\n',
      'out> { a: 1, b: [ 1, 2 ] }\n',
      'out> [ 3, 4 ]\n',
    ]);
  });

  it('parallelism 2: `prefix:n> value` with the 1-based subtask number', async () => {
    const target = fakeTarget();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.fromSequence(0, 99).sinkTo(new PrintSink('p', false, { target }));
    await env.execute();
    expect(target.text).toHaveLength(100);
    const seen = new Set<number>();
    const prefixes = new Set<string>();
    for (const line of target.text) {
      const m = /^(p:[12])> (\d+)\n$/.exec(line);
      expect(m, line).not.toBeNull();
      prefixes.add(m![1]!);
      seen.add(Number(m![2]));
    }
    expect(prefixes).toEqual(new Set(['p:1', 'p:2']));
    expect(seen.size).toBe(100);
  });

  it('without a prefix: `n> value` in parallel, just the value at parallelism 1; custom format', async () => {
    const t1 = fakeTarget();
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 2 });
    env.fromSequence(1, 4).sinkTo(new PrintSink('', false, { target: t1 }));
    await env.execute();
    expect(t1.text.every((l) => /^[12]> \d\n$/.test(l))).toBe(true);
    expect(t1.text).toHaveLength(4);

    const t2 = fakeTarget();
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env2
      .fromElements(1.5, 2.5)
      .sinkTo(new PrintSink<number>(undefined, false, { target: t2, format: (n) => n.toFixed(2) }));
    await env2.execute();
    expect(t2.text).toEqual(['1.50\n', '2.50\n']);
  });

  it('waits for "drain" when the target reports a full buffer, one pending write at a time', async () => {
    const emitter = new EventEmitter();
    const text: string[] = [];
    let waitingForDrain = false;
    let writesWhileFull = 0;
    const target: PrintTarget = {
      write(s: string) {
        if (waitingForDrain) writesWhileFull++;
        text.push(s);
        waitingForDrain = true;
        setImmediate(() => {
          waitingForDrain = false;
          emitter.emit('drain');
        });
        return false;
      },
      once: (event, listener) => emitter.once(event, listener),
    };
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
    env
      .fromSequence(1, 200)
      .rebalance()
      .sinkTo(new PrintSink('d', false, { target }));
    await env.execute();
    expect(text).toEqual(range(200, 1).map((i) => `d> ${i}\n`));
    expect(writesWhileFull).toBe(0);
  });
});
