import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSource, type FileSourceOptions } from '../../../src/core/connectors/file-source.js';
import type { FileSplit } from '../../../src/core/connectors/file-split.js';
import { Boundedness, InputStatus } from '../../../src/core/connectors/source.js';
import { runWithRestore, SourceHarness } from './reader-driver.js';

let dir: string;
let fileCounter = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-source-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(content: string | Buffer, name = `f${fileCounter++}.txt`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readLines(
  paths: string[],
  options: FileSourceOptions = {},
  parallelism = 1,
): Promise<string[][]> {
  return SourceHarness.run(FileSource.forTextLines(...paths).withOptions(options), { parallelism });
}

/** Small chunks put line breaks and multi-byte characters across read boundaries. */
const tinyReads: FileSourceOptions = { chunkSize: 3, maxBufferedLines: 2, maxBufferedBytes: 8 };

/** What a line reader should see: split at \n, no empty line after a final break, CR of CRLF dropped. */
function referenceLines(content: string): string[] {
  const parts = content.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => (p.endsWith('\r') ? p.slice(0, -1) : p));
}

describe('FileSource', () => {
  it('is bounded', async () => {
    expect(FileSource.forTextLines(await file('x')).getBoundedness()).toBe(Boundedness.BOUNDED);
  });

  it('reads lines with and without a trailing line break', async () => {
    expect(await readLines([await file('a\nb\nc\n')])).toEqual([['a', 'b', 'c']]);
    expect(await readLines([await file('a\nb\nc')])).toEqual([['a', 'b', 'c']]);
    expect(await readLines([await file('a\n\n\nb\n\n')])).toEqual([['a', '', '', 'b', '']]);
    expect(await readLines([await file('\n')])).toEqual([['']]);
  });

  it('reads an empty file as no lines', async () => {
    expect(await readLines([await file('')])).toEqual([[]]);
  });

  it('drops the \\r of CRLF line breaks but keeps other carriage returns', async () => {
    const path = await file('one\r\ntwo\r\nin\rside\r\nlast\r');
    expect(await readLines([path])).toEqual([['one', 'two', 'in\rside', 'last']]);
    expect(await readLines([path], tinyReads)).toEqual([['one', 'two', 'in\rside', 'last']]);
    expect(await readLines([path], { chunkSize: 4 })).toEqual([['one', 'two', 'in\rside', 'last']]);
  });

  it('decodes multi-byte UTF-8 characters split across reads', async () => {
    const lines = ['héllo wörld', '日本語のテキスト', '😀🎉 emoji', 'ascii', 'Ω≈ç√∫'];
    const path = await file(`${lines.join('\n')}\n`);
    for (const chunkSize of [1, 2, 3, 5, 7, 64 * 1024]) {
      expect(await readLines([path], { chunkSize })).toEqual([lines]);
    }
  });

  it('drops a UTF-8 byte order mark at the start of the file only', async () => {
    const path = await file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a\n\uFEFFb\n')]));
    expect(await readLines([path])).toEqual([['a', '\uFEFFb']]);
    expect(await readLines([path], { chunkSize: 1 })).toEqual([['a', '\uFEFFb']]);
  });

  it('reads long lines spanning many reads', async () => {
    const long = 'x'.repeat(100_000);
    expect(await readLines([await file(`${long}\nshort\n${long}`)], { chunkSize: 1000 })).toEqual([
      [long, 'short', long],
    ]);
  });

  it('reads many files exactly once at parallelism 1 and 3, each file in order', async () => {
    const files: string[][] = [];
    const paths: string[] = [];
    for (let f = 0; f < 7; f++) {
      const lines = Array.from({ length: f * 300 }, (_, i) => `file${f}-line${i}`);
      files.push(lines);
      paths.push(await file(lines.join('\n')));
    }
    const [single] = await readLines(paths, { maxBufferedLines: 50 });
    expect(single).toEqual(files.flat());
    const perReader = await readLines(paths, { maxBufferedLines: 50 }, 3);
    expect(perReader.flat().sort()).toEqual(files.flat().sort());
    for (const values of perReader) {
      for (const lines of files) {
        const set = new Set(lines);
        const mine = values.filter((v) => set.has(v));
        expect(mine).toEqual(mine.length === 0 ? [] : lines);
      }
    }
    const roundRobin = await readLines(paths, { assignment: 'round-robin' }, 3);
    expect(roundRobin).toEqual([
      [...files[0], ...files[3], ...files[6]],
      [...files[1], ...files[4]],
      [...files[2], ...files[5]],
    ]);
  });

  it('reads directories recursively in name order, skipping hidden and underscore files', async () => {
    const root = join(dir, 'tree');
    await mkdir(join(root, 'b-sub'), { recursive: true });
    await writeFile(join(root, 'a.txt'), 'a1\na2\n');
    await writeFile(join(root, 'b-sub', 'c.txt'), 'c1\n');
    await writeFile(join(root, 'c.txt'), 'd1\n');
    await writeFile(join(root, '.hidden'), 'nope\n');
    await writeFile(join(root, '_in-progress'), 'nope\n');
    expect(await readLines([root])).toEqual([['a1', 'a2', 'c1', 'd1']]);
  });

  it('fails at job start when a path does not exist', async () => {
    await expect(
      SourceHarness.create(FileSource.forTextLines(join(dir, 'missing.txt')), { parallelism: 1 }),
    ).rejects.toThrow(/ENOENT/);
  });

  it('fails the reader when a file cannot be read', async () => {
    const path = await file('a\n');
    const source = FileSource.forTextLines(path);
    const missing: FileSplit = { splitId: 'gone', path: join(dir, 'gone.txt'), offset: 0, lineNumber: 0 };
    const harness = await SourceHarness.create(source, {
      parallelism: 1,
      restored: { enumerator: [], readers: [[missing]] },
    });
    await expect(harness.runToEnd()).rejects.toThrow(/ENOENT/);
    await harness.close();
  });

  it('returns NOTHING_AVAILABLE while a read is in flight and never buffers beyond its bounds', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    const path = await file(lines.join('\n'));
    const harness = await SourceHarness.create(
      FileSource.forTextLines(path).withOptions({ maxBufferedLines: 100, chunkSize: 256 }),
      { parallelism: 1, deliverSync: true },
    );
    expect(harness.pollOnce(0)).toBe(InputStatus.NOTHING_AVAILABLE);
    const reader = harness.readers[0] as unknown as { lines: string[]; head: number };
    let maxBuffered = 0;
    const original = reader.lines;
    expect(original).toEqual([]);
    while (!harness.allEnded) {
      await harness.poll({ maxPolls: 1 });
      maxBuffered = Math.max(maxBuffered, reader.lines.length - reader.head);
    }
    // the read that crosses the bound finishes its chunk (at most 256 bytes: < 40 lines)
    expect(maxBuffered).toBeLessThanOrEqual(140);
    expect(harness.allValues()).toEqual(lines);
    expect(harness.statuses[0].filter((s) => s === InputStatus.NOTHING_AVAILABLE).length).toBeGreaterThan(1);
  });

  it('snapshots byte offset and line number of the next line', async () => {
    const path = await file('α\r\nbb\nccc\n');
    const source = FileSource.forTextLines(path).withOptions({ maxRecordsPerPoll: 1 });
    const harness = await SourceHarness.create(source, { parallelism: 1 });
    await harness.poll({ minRecords: 2 });
    const [[split]] = harness.snapshot().readers;
    expect(split).toMatchObject({ path, offset: 'α\r\nbb\n'.length + 1, lineNumber: 2 });
    await harness.close();
  });

  it('resumes exactly at the next line after a restore, at any cut point', async () => {
    const lineArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '日', '😀', '\r'), maxLength: 12 });
    const fileArb = fc.record({
      lines: fc.array(lineArb, { maxLength: 30 }),
      crlf: fc.boolean(),
      trailingBreak: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 60 }),
        fc.record({
          chunkSize: fc.integer({ min: 1, max: 40 }),
          maxBufferedLines: fc.integer({ min: 1, max: 10 }),
          maxRecordsPerPoll: fc.integer({ min: 1, max: 5 }),
        }),
        fc.constantFrom('flink' as const, 'runtime' as const),
        fc.boolean(),
        async (files, parallelism, cutAfterPolls, options, readerStartOrder, deliverSync) => {
          const paths: string[] = [];
          const expected: string[] = [];
          for (const f of files) {
            // a line ending in \r followed by a CRLF/LF break would lose that \r: not a valid expectation
            const lines = f.lines.map((l) => l.replace(/\r+$/, ''));
            const content =
              lines.join(f.crlf ? '\r\n' : '\n') + (f.trailingBreak && lines.length > 0 ? '\n' : '');
            paths.push(await file(content));
            expected.push(...referenceLines(content));
          }
          const source = FileSource.forTextLines(...paths).withOptions(options);
          const { before, after, snapshot } = await runWithRestore(source, {
            parallelism,
            cutAfterPolls,
            readerStartOrder,
            deliverSync,
          });
          expect([...before.flat(), ...after.flat()].sort()).toEqual([...expected].sort());
          for (const split of snapshot.readers.flat() as FileSplit[]) {
            expect(split.lineNumber).toBeGreaterThanOrEqual(0);
          }
          if (parallelism === 1) expect([...before[0], ...after[0]]).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
