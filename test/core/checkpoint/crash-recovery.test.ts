/**
 * Issue 5's acceptance test: a stateful job (keyed state, an event-time window and a CEP pattern)
 * reads 1e6 events from the local log in a child process and writes exactly-once to the local log;
 * the child is killed with SIGKILL at 20 seeded random moments and restarted each time (it restores
 * from its latest checkpoint). The committed output must equal that of an uninterrupted run: no
 * loss, no duplicate.
 *
 * The child runs plain JavaScript compiled from the fixture with the repo's own `tsc` (as the local
 * log's crash test does): vitest cannot be the child and the repo has no TypeScript loader.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLog } from '../../../src/core/connectors/local-log/index.js';
import { compileFixture } from '../../util/compile-fixture.js';
import { mulberry32 } from '../../util/mulberry32.js';
import type { CrashEvent } from './fixtures/stateful-job.js';

const fixture = 'test/core/checkpoint/fixtures/stateful-job.ts';
const SEED = Number(process.env.CRASH_TEST_SEED ?? 5_2026_1122);
const EVENTS = Number(process.env.CRASH_TEST_EVENTS ?? 1_000_000);
const KILLS = 20;
const KEYS = 1000;
const INPUT_PARTITIONS = 4;

let work: string;
let entry: string;

/** Writes the input (key k's events in one partition, in time order) and creates the output topic. */
async function writeInput(dataDir: string): Promise<void> {
  const log = await LocalLog.open(join(dataDir, 'log'));
  await log.createTopic('input', INPUT_PARTITIONS);
  await log.createTopic('output', 2);
  const random = mulberry32(SEED);
  const batch = 20_000;
  for (let start = 0; start < EVENTS; start += batch) {
    const txn = log.beginTransaction('input-writer');
    for (let i = start; i < Math.min(EVENTS, start + batch); i++) {
      const r = random();
      const event: CrashEvent = {
        k: i % KEYS,
        t: r < 0.4 ? 'a' : r < 0.7 ? 'b' : r < 0.9 ? 'c' : 'x',
        ts: i,
      };
      txn.append('input', event.k % INPUT_PARTITIONS, JSON.stringify(event), { timestamp: i });
    }
    await txn.prepare();
    await txn.commit();
  }
  await log.close();
}

/** The committed output, sorted (parallel subtasks interleave differently from run to run). */
async function committedOutput(dataDir: string): Promise<string[]> {
  const log = await LocalLog.openReadOnly(join(dataDir, 'log'));
  const lines: string[] = [];
  for (let p = 0; p < 2; p++) {
    const reader = log.reader('output', p, 0);
    for (;;) {
      const records = reader.poll(10_000);
      if (records.length === 0) break;
      for (const r of records) lines.push(JSON.parse(r.value.toString('utf8')) as string);
    }
    reader.close();
  }
  await log.close();
  return lines.sort();
}

interface Run {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly restoredFrom: Promise<string>;
  output(): string;
}

function startJob(dataDir: string): Run {
  const child = spawn(process.execPath, [entry, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const restoredFrom = new Promise<string>((done) => {
    child.stdout!.on('data', () => {
      const m = /restoring (\w+)\n/.exec(out);
      if (m) done(m[1]!);
    });
    void exited.then(() => done('exited'));
  });
  return { child, exited, restoredFrom, output: () => out };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'crash-recovery-'));
  entry = compileFixture(fixture, join(work, 'build'));
  await writeInput(join(work, 'reference'));
  cpSync(join(work, 'reference'), join(work, 'crashed'), { recursive: true });
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('crash recovery with exactly-once output (real SIGKILLs)', () => {
  it(`${KILLS} kills at random moments give the same committed output as an uninterrupted run`, async () => {
    const started = performance.now();
    const reference = startJob(join(work, 'reference'));
    expect(await reference.exited, reference.output()).toBe(0);
    const runMs = performance.now() - started;
    const expected = await committedOutput(join(work, 'reference'));
    expect(expected.length).toBeGreaterThan(EVENTS / 50);
    expect(new Set(expected).size).toBe(expected.length);

    const random = mulberry32(SEED + 1);
    const restoredIds: string[] = [];
    let killed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = startJob(join(work, 'crashed'));
      restoredIds.push(await run.restoredFrom);
      // Up to a tenth of an uninterrupted run after the job reported its restore point: before the
      // first checkpoint, between checkpoints, during commits; 20 of them spread over the input.
      await sleep(20 + Math.floor(random() * Math.max(200, runMs / 10)));
      run.child.kill('SIGKILL');
      const code = await run.exited;
      if (code === 0) break; // it finished before the kill
      killed++;
    }
    console.log(
      `uninterrupted run ${Math.round(runMs)} ms; ${killed} kills; restored from ${restoredIds.join(' ')}`,
    );
    expect(killed, `seed ${SEED}`).toBe(KILLS);
    const last = startJob(join(work, 'crashed'));
    expect(await last.exited, `seed ${SEED}\n${last.output()}`).toBe(0);
    const actual = await committedOutput(join(work, 'crashed'));
    // Restarts resumed from ever later checkpoints: progress was kept across the kills.
    const restorePoints = new Set(restoredIds.filter((id) => id !== 'none' && id !== 'exited'));
    expect(restorePoints.size, `seed ${SEED}: restored from ${restoredIds.join(' ')}`).toBeGreaterThanOrEqual(
      5,
    );
    expect(actual.length, `seed ${SEED}`).toBe(expected.length);
    expect(actual, `seed ${SEED}`).toEqual(expected);
  }, 600_000);
});
