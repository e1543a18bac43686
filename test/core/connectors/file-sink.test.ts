import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineFileSink } from '../../../src/core/connectors/file-sink.js';
import type { SinkWriterContext } from '../../../src/core/connectors/sink.js';

const context: SinkWriterContext = { timestamp: () => null, currentWatermark: () => 0 };

let root: string;
let counter = 0;
const freshDir = () => join(root, `out-${counter++}`);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'file-sink-test-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('LineFileSink', () => {
  it('writes one line per record to part-<subtask> files of parallel writers', async () => {
    const dir = freshDir();
    const sink = new LineFileSink<{ id: number }>(dir, { format: (v) => `id=${v.id}` });
    const writers = [0, 1].map((subtaskIndex) => sink.createWriter({ subtaskIndex, parallelism: 2 }));
    for (let i = 0; i < 10; i++) await writers[i % 2].write({ id: i }, context);
    for (const w of writers) await w.flush(true);
    for (const w of writers) await w.close();
    expect((await readdir(dir)).sort()).toEqual(['part-0', 'part-1']);
    expect(await readFile(join(dir, 'part-0'), 'utf8')).toBe('id=0\nid=2\nid=4\nid=6\nid=8\n');
    expect(await readFile(sink.partPath(1), 'utf8')).toBe('id=1\nid=3\nid=5\nid=7\nid=9\n');
  });

  it('formats strings as they are, objects as JSON, and honours prefix and suffix', async () => {
    const dir = freshDir();
    const sink = new LineFileSink<unknown>(dir, { prefix: 'alerts', suffix: '.jsonl' });
    const writer = sink.createWriter({ subtaskIndex: 3, parallelism: 4 });
    for (const v of ['héllo 😀', { a: [1] }, 7, null]) await writer.write(v, context);
    await writer.close();
    expect(await readFile(join(dir, 'alerts-3.jsonl'), 'utf8')).toBe('héllo 😀\n{"a":[1]}\n7\nnull\n');
  });

  it('creates no file for a writer without records', async () => {
    const dir = freshDir();
    const writer = new LineFileSink<string>(dir).createWriter({ subtaskIndex: 0, parallelism: 1 });
    await writer.flush(true);
    await writer.close();
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('returns a promise from write only above the high-water mark', async () => {
    const dir = freshDir();
    const sink = new LineFileSink<string>(dir, { bufferSize: 16, highWaterMark: 40 });
    const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
    const results: Array<void | Promise<void>> = [];
    // 10 characters per line: the 5th line takes the buffer above 40
    for (let i = 0; i < 5; i++) results.push(writer.write(`line-${i}...`, context));
    expect(results.slice(0, 4).every((r) => r === undefined)).toBe(true);
    expect(results[4]).toBeInstanceOf(Promise);
    await results[4];
    // the buffer has drained: writing goes on without waiting
    expect(writer.write('more', context)).toBeUndefined();
    await writer.flush(true);
    await writer.close();
    const expected = `${Array.from({ length: 5 }, (_, i) => `line-${i}...`).join('\n')}\nmore\n`;
    expect(await readFile(sink.partPath(0), 'utf8')).toBe(expected);
  });

  it('keeps every record in order under sustained backpressure', async () => {
    const dir = freshDir();
    const sink = new LineFileSink<number>(dir, { bufferSize: 100, highWaterMark: 1000 });
    const writer = sink.createWriter({ subtaskIndex: 0, parallelism: 1 });
    let waits = 0;
    for (let i = 0; i < 20_000; i++) {
      const pending = writer.write(i, context);
      if (pending !== undefined) {
        waits++;
        await pending;
      }
    }
    await writer.flush(true);
    await writer.close();
    expect(waits).toBeGreaterThan(0);
    const lines = (await readFile(sink.partPath(0), 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(Array.from({ length: 20_000 }, (_, i) => String(i)));
  });

  it('truncates existing files by default and appends when asked', async () => {
    const dir = freshDir();
    const first = new LineFileSink<string>(dir).createWriter({ subtaskIndex: 0, parallelism: 1 });
    await first.write('old', context);
    await first.close();
    const truncating = new LineFileSink<string>(dir).createWriter({ subtaskIndex: 0, parallelism: 1 });
    await truncating.write('new', context);
    await truncating.close();
    const appending = new LineFileSink<string>(dir, { append: true }).createWriter({
      subtaskIndex: 0,
      parallelism: 1,
    });
    await appending.write('more', context);
    await appending.close();
    expect(await readFile(join(dir, 'part-0'), 'utf8')).toBe('new\nmore\n');
  });

  it('fails writes after an I/O error', async () => {
    const blocker = join(root, `blocker-${counter++}`);
    await writeFile(blocker, 'a file where the directory should be');
    const writer = new LineFileSink<string>(join(blocker, 'sub')).createWriter({
      subtaskIndex: 0,
      parallelism: 1,
    });
    writer.write('x', context);
    await expect(writer.flush(true)).rejects.toThrow();
    expect(() => writer.write('y', context)).toThrow();
    await expect(writer.close()).rejects.toThrow();
  });
});
