import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExactlyOnceFileSink } from '../../../src/core/connectors/exactly-once-file-sink/exactly-once-file-sink.js';
import { PartFileNaming } from '../../../src/core/connectors/exactly-once-file-sink/part-file-names.js';
import type { PendingFile } from '../../../src/core/connectors/exactly-once-file-sink/pending-file.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../src/core/runtime/operator-snapshot-codec.js';
import { CommittingSinkOperator } from '../../../src/core/runtime/operators/committing-sink-operator.js';
import type { OperatorSnapshot } from '../../../src/core/runtime/stream-operator.js';
import { OperatorTestHarness } from '../../../src/core/testing/operator-test-harness.js';
import { removeTempDirs, tempDir } from './local-log/log-test-dirs.js';

type Op = CommittingSinkOperator<string, PendingFile>;

afterEach(() => removeTempDirs());

function harness(
  sink: ExactlyOnceFileSink<string>,
  options: { parallelism?: number; subtaskIndex?: number } = {},
) {
  return new OperatorTestHarness<never, string>(
    () => new CommittingSinkOperator<string, PendingFile>(sink),
    options,
  );
}

const persist = (s: OperatorSnapshot): OperatorSnapshot => decodeOperatorSnapshot(encodeOperatorSnapshot(s));
const ls = (dir: string): string[] => readdirSync(dir).sort();
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');

describe('ExactlyOnceFileSink', () => {
  it('in-progress -> pending at the barrier -> final when the checkpoint completes, rolling per checkpoint', async () => {
    const dir = tempDir('eo-file-sink-');
    const sink = new ExactlyOnceFileSink<string>(dir, { bufferSize: 1 });
    const h = harness(sink);
    await h.open();
    h.processElement('a');
    h.processElement('b');
    expect(ls(dir)).toEqual(['.part-0-0.inprogress']);
    h.snapshot(); // 1
    expect(ls(dir)).toEqual(['.part-0-0.pending']);
    h.processElement('c');
    expect(ls(dir)).toEqual(['.part-0-0.pending', '.part-0-1.inprogress']);
    (h.operator as Op).notifyCheckpointComplete(1);
    expect(ls(dir)).toEqual(['.part-0-1.inprogress', 'part-0-0']);
    expect(read(dir, 'part-0-0')).toBe('a\nb\n');
    h.snapshot(); // 2
    h.snapshot(); // 3: nothing written since, no file
    (h.operator as Op).notifyCheckpointComplete(3);
    expect(ls(dir)).toEqual(['part-0-0', 'part-0-1']);
    h.processElement('d');
    await h.finish(); // end of input: the last part is committed
    await h.close();
    expect(ls(dir)).toEqual(['part-0-0', 'part-0-1', 'part-0-2']);
    expect(read(dir, 'part-0-2')).toBe('d\n');
  });

  it('recovery finishes the restored pending files exactly once and deletes stray in-progress files', async () => {
    const dir = tempDir('eo-file-sink-');
    const sink = new ExactlyOnceFileSink<string>(dir, { bufferSize: 1, suffix: '.txt' });
    const h1 = harness(sink);
    await h1.open();
    h1.processElement('a');
    h1.snapshot(); // 1
    (h1.operator as Op).notifyCheckpointComplete(1);
    h1.processElement('b');
    const snapshot2 = persist(h1.snapshot()); // 2 completes; the crash comes before notify
    h1.processElement('c');
    h1.snapshot(); // 3 never completes
    h1.processElement('d'); // in progress at the crash
    expect(ls(dir)).toEqual([
      '.part-0-1.txt.pending',
      '.part-0-2.txt.pending',
      '.part-0-3.txt.inprogress',
      'part-0-0.txt',
    ]);

    const h2 = harness(sink);
    await h2.open([snapshot2]);
    expect(ls(dir)).toEqual(['part-0-0.txt', 'part-0-1.txt']);
    expect(read(dir, 'part-0-1.txt')).toBe('b\n');
    h2.processElement('c'); // replayed by the source from checkpoint 2's position
    h2.processElement('d');
    await h2.finish();
    await h2.close();
    expect(ls(dir)).toEqual(['part-0-0.txt', 'part-0-1.txt', 'part-0-2.txt']);
    const all = ls(dir)
      .map((n) => read(dir, n))
      .join('');
    expect(all).toBe('a\nb\nc\nd\n');

    // Restoring checkpoint 2 again: its file is already final, nothing is duplicated or lost.
    const h3 = harness(sink);
    await h3.open([snapshot2]);
    await h3.finish();
    expect(
      ls(dir)
        .map((n) => read(dir, n))
        .join(''),
    ).toBe('a\nb\nc\nd\n');
  });

  it('rolls by size within a checkpoint; all parts of the checkpoint commit together', async () => {
    const dir = tempDir('eo-file-sink-');
    const h = harness(new ExactlyOnceFileSink<string>(dir, { bufferSize: 1, maxPartBytes: 4 }));
    await h.open();
    for (const v of ['aa', 'bb', 'cc']) h.processElement(v); // 3 bytes per line: a part rolls at the second
    expect(ls(dir)).toEqual(['.part-0-0.pending', '.part-0-1.inprogress']);
    h.snapshot();
    expect(ls(dir)).toEqual(['.part-0-0.pending', '.part-0-1.pending']);
    (h.operator as Op).notifyCheckpointComplete(1);
    expect(ls(dir)).toEqual(['part-0-0', 'part-0-1']);
    expect(read(dir, 'part-0-0') + read(dir, 'part-0-1')).toBe('aa\nbb\ncc\n');
  });

  it('a recovering instance cleans the files of the former subtasks it inherits', async () => {
    const dir = tempDir('eo-file-sink-');
    const sink = new ExactlyOnceFileSink<string>(dir, { bufferSize: 1 });
    const hs = [0, 1, 2].map((subtaskIndex) => harness(sink, { parallelism: 3, subtaskIndex }));
    for (const h of hs) await h.open();
    for (const [i, h] of hs.entries()) h.processElement(`x${i}`);
    const snapshots = hs.map((h) => persist(h.snapshot()));
    for (const [i, h] of hs.entries()) h.processElement(`y${i}`); // in progress at the crash
    const restored = [0, 1].map((subtaskIndex) => harness(sink, { parallelism: 2, subtaskIndex }));
    for (const h of restored) await h.open(snapshots);
    expect(ls(dir)).toEqual(['part-0-0', 'part-1-0', 'part-2-0']);
  });

  it('names part files and parses them back', () => {
    const naming = new PartFileNaming('out.v1', '.jsonl');
    expect(naming.names(2, 7)).toEqual({
      final: 'out.v1-2-7.jsonl',
      pending: '.out.v1-2-7.jsonl.pending',
      inProgress: '.out.v1-2-7.jsonl.inprogress',
    });
    expect(naming.parse('.out.v1-2-7.jsonl.inprogress')).toEqual({
      subtaskIndex: 2,
      partIndex: 7,
      kind: 'in-progress',
    });
    expect(naming.parse('out.v1-2-7.jsonl')).toEqual({ subtaskIndex: 2, partIndex: 7, kind: 'final' });
    expect(naming.parse('outXv1-2-7.jsonl')).toBeUndefined();
    expect(naming.parse('.out.v1-2-7.jsonl')).toBeUndefined();
  });
});
