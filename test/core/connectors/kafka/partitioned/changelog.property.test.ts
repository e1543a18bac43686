import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompletedCheckpoint } from '../../../../../src/core/checkpoint/completed-checkpoint.js';
import type { KafkaRecord } from '../../../../../src/core/connectors/kafka/kafka-port.js';
import {
  assembleSnapshot,
  CHANGELOG_HEADERS,
  ChangelogDigests,
  changelogEntries,
} from '../../../../../src/core/connectors/kafka/partitioned/index.js';
import {
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
} from '../../../../../src/core/runtime/operator-snapshot-codec.js';
import type { OperatorSnapshot } from '../../../../../src/core/runtime/stream-operator.js';

const TASK = 'events-3';
const SEED = Number(process.env.CHANGELOG_PROPERTY_SEED ?? 20261206);

/** One keyed operator instance: key group -> state bytes, and timers per name. */
interface Instance {
  readonly keyed: Map<number, Uint8Array>;
  readonly timers: Map<string, Map<number, Uint8Array>>;
  readonly watermark: number;
}

const bytes = fc.uint8Array({ minLength: 1, maxLength: 6 });
const groups = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 7 }), bytes), { maxLength: 6 })
  .map((entries) => new Map(entries));
const instance: fc.Arbitrary<Instance> = fc.record({
  keyed: groups,
  timers: fc
    .array(fc.tuple(fc.constantFrom('event', 'processing'), groups), { maxLength: 2 })
    .map((e) => new Map(e)),
  watermark: fc.integer({ min: -1000, max: 1000 }),
});
/** A checkpoint of a job with a keyed operator of 1–2 instances and a source (not keyed). */
const checkpointState = fc.record({
  keyed: fc.array(instance, { minLength: 1, maxLength: 2 }),
  source: bytes,
});

function toSnapshot(i: Instance): OperatorSnapshot {
  const grouped = (m: Map<number, Uint8Array>) => ({ maxParallelism: 8, groups: [...m.entries()] });
  const timers: Record<string, ReturnType<typeof grouped>> = {};
  for (const [name, m] of i.timers) timers[name] = grouped(m);
  return { keyed: grouped(i.keyed), timers, watermark: i.watermark };
}

function toCheckpoint(id: number, s: { keyed: Instance[]; source: Uint8Array }): CompletedCheckpoint {
  return {
    jobId: 'job',
    jobName: 'task',
    checkpointId: id,
    timestamp: 1000 + id,
    kind: 'checkpoint',
    finalCheckpoint: false,
    operators: {
      counter: {
        parallelism: s.keyed.length,
        maxParallelism: 8,
        subtasks: s.keyed.map((i) => encodeOperatorSnapshot(toSnapshot(i))),
      },
      source: {
        parallelism: 1,
        maxParallelism: 8,
        subtasks: [encodeOperatorSnapshot({ watermark: 5, extra: s.source })],
      },
    },
  };
}

/** What an instance's snapshot means, independent of group order and empty-vs-absent. */
function meaning(bytesOfSnapshot: Uint8Array) {
  const s = decodeOperatorSnapshot(bytesOfSnapshot);
  const norm = (g: readonly (readonly [number, Uint8Array])[] | undefined) =>
    [...(g ?? [])]
      .map(([kg, b]) => [kg, Buffer.from(b).toString('hex')] as const)
      .sort((a, b) => a[0] - b[0]);
  const timers: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(s.timers ?? {}))
    if (t.groups.length > 0) timers[name] = norm(t.groups);
  return { keyed: norm(s.keyed?.groups), timers, watermark: s.watermark, extra: s.extra };
}

function meaningOf(cp: CompletedCheckpoint) {
  const out: Record<string, unknown> = {};
  for (const [uid, op] of Object.entries(cp.operators)) out[uid] = op.subtasks.map(meaning);
  return { id: cp.checkpointId, operators: out };
}

/** A compacted changelog partition: the latest value per key (tombstones remove the key). */
class CompactedLog {
  readonly latest = new Map<string, Buffer>();
  private offset = 0;
  baseRecord: KafkaRecord | undefined;

  apply(key: string, value: Buffer | null, inputOffset: number): void {
    const at = this.offset++;
    if (value === null) this.latest.delete(key);
    else this.latest.set(key, value);
    if (key === TASK && value !== null) {
      this.baseRecord = {
        topic: 'changelog',
        partition: 3,
        offset: at,
        timestamp: 0,
        key: Buffer.from(key),
        value,
        headers: { [CHANGELOG_HEADERS.offset]: String(inputOffset) },
      };
    }
  }

  groups(): Map<string, Buffer> {
    return new Map([...this.latest].filter(([k]) => k.startsWith(`${TASK}/kg/`)));
  }
}

describe('incremental changelog by key group', () => {
  it('the latest record per key always reassembles the last committed checkpoint, and only changed key groups are written', () => {
    fc.assert(
      fc.property(
        fc.array(checkpointState, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        (states, restartAt) => {
          const log = new CompactedLog();
          let digests = new ChangelogDigests(TASK);
          let previousGroups = new Map<string, string>();
          states.forEach((state, i) => {
            if (i === restartAt && log.baseRecord !== undefined) {
              // A restart: the digests come from what the restore read.
              digests = new ChangelogDigests(TASK);
              digests.restore(assembleSnapshot(log.baseRecord, log.groups()).values);
            }
            const cp = toCheckpoint(i + 1, state);
            const entries = changelogEntries(cp, TASK);
            const { writes, next } = digests.changes(entries);
            const nowGroups = new Map(
              entries.filter((e) => e.key !== TASK).map((e) => [e.key, e.value!.toString('hex')]),
            );
            const changed = [...nowGroups].filter(([k, v]) => previousGroups.get(k) !== v).length;
            const removed = [...previousGroups.keys()].filter((k) => !nowGroups.has(k)).length;
            expect(writes.length).toBe(1 + changed + removed);
            for (const w of writes) log.apply(w.key, w.value, 100 + i);
            digests.accept(next);
            previousGroups = nowGroups;
            const restored = assembleSnapshot(log.baseRecord!, log.groups());
            expect(restored.offset).toBe(100 + i);
            expect(meaningOf(restored.checkpoint)).toEqual(meaningOf(cp));
          });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a commit where no key group changed writes only the base record', () => {
    const state = {
      keyed: [{ keyed: new Map([[1, new Uint8Array([7])]]), timers: new Map(), watermark: 0 }],
      source: new Uint8Array([1]),
    };
    const digests = new ChangelogDigests(TASK);
    const first = digests.changes(changelogEntries(toCheckpoint(1, state), TASK));
    expect(first.writes.map((w) => w.key)).toEqual([TASK, `${TASK}/kg/counter/0/1`]);
    digests.accept(first.next);
    const second = digests.changes(changelogEntries(toCheckpoint(2, state), TASK));
    expect(second.writes.map((w) => w.key)).toEqual([TASK]);
  });
});
