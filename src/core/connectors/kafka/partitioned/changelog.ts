import { createHash, randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type {
  CompletedCheckpoint,
  OperatorCheckpointState,
} from '../../../checkpoint/completed-checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../../checkpoint/snapshot-format.js';
import { decodeOperatorSnapshot, encodeOperatorSnapshot } from '../../../runtime/operator-snapshot-codec.js';
import type { OperatorSnapshot } from '../../../runtime/stream-operator.js';
import type { KeyGroupedSnapshot } from '../../../state/keyed-state-backend.js';
import type { KafkaPort, KafkaRecord } from '../kafka-port.js';

/** Headers of a changelog snapshot record. */
export const CHANGELOG_HEADERS = { offset: 'input.offset', checkpoint: 'checkpoint.id' } as const;

/** One record of a task's changelog: `value` null is a tombstone (the key group is now empty). */
export interface ChangelogEntry {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * A task's checkpoint as changelog records, incremental by key group (Kafka Streams writes every
 * changed key; here the unit is the engine's key group, at most `maxParallelism` records per
 * keyed operator): the BASE record, key `<task>`, holds the checkpoint without its keyed state
 * and timers (operator state, watermarks, source positions) and is written with every commit;
 * each key group of each keyed operator instance is one record, key `<task>/kg/<uid>/<subtask>/<group>`,
 * written only when its bytes changed since the last commit, and tombstoned when it emptied. The
 * latest record of every key, read with read_committed, is exactly the last committed checkpoint:
 * a transaction holds the base and all key groups that changed since the previous one.
 */
export function changelogEntries(checkpoint: CompletedCheckpoint, taskKey: string): ChangelogEntry[] {
  const groups: ChangelogEntry[] = [];
  const operators: Record<string, OperatorCheckpointState> = {};
  for (const [uid, op] of Object.entries(checkpoint.operators)) {
    const subtasks = op.subtasks.map((bytes, subtask) => {
      const snapshot = decodeOperatorSnapshot(bytes);
      if (snapshot.keyed === undefined && snapshot.timers === undefined) return bytes;
      const byGroup = new Map<number, { keyed?: Uint8Array; timers: Record<string, Uint8Array> }>();
      const entry = (kg: number) => {
        let e = byGroup.get(kg);
        if (e === undefined) {
          e = { timers: {} };
          byGroup.set(kg, e);
        }
        return e;
      };
      for (const [kg, data] of snapshot.keyed?.groups ?? []) entry(kg).keyed = data;
      for (const [name, timers] of Object.entries(snapshot.timers ?? {}))
        for (const [kg, data] of timers.groups) entry(kg).timers[name] = data;
      for (const [kg, e] of byGroup) {
        groups.push({ key: `${taskKey}/kg/${uid}/${subtask}/${kg}`, value: serialize(e) });
      }
      return encodeOperatorSnapshot(stripKeyGroups(snapshot));
    });
    operators[uid] = { ...op, subtasks };
  }
  const base = encodeSnapshotValue({ ...checkpoint, operators });
  return [{ key: taskKey, value: base }, ...groups];
}

function stripKeyGroups(snapshot: OperatorSnapshot): OperatorSnapshot {
  const empty = (s: KeyGroupedSnapshot): KeyGroupedSnapshot => ({
    maxParallelism: s.maxParallelism,
    groups: [],
  });
  const timers: Record<string, KeyGroupedSnapshot> = {};
  for (const [name, t] of Object.entries(snapshot.timers ?? {})) timers[name] = empty(t);
  return {
    ...snapshot,
    ...(snapshot.keyed !== undefined ? { keyed: empty(snapshot.keyed) } : {}),
    ...(snapshot.timers !== undefined ? { timers } : {}),
  };
}

/**
 * The digest of what each changelog key holds after the last commit: decides which key groups a
 * commit must write ({@link ChangelogDigests.changes}).
 */
export class ChangelogDigests {
  private digests = new Map<string, string>();

  constructor(private readonly taskKey: string) {}

  /**
   * The entries a commit of `entries` must write: the base, changed key groups, and tombstones
   * for key groups that are gone. {@link accept} them once the transaction committed.
   */
  changes(entries: readonly ChangelogEntry[]): { writes: ChangelogEntry[]; next: Map<string, string> } {
    const next = new Map<string, string>();
    const writes: ChangelogEntry[] = [];
    for (const e of entries) {
      const digest = e.value === null ? '' : createHash('sha1').update(e.value).digest('base64');
      next.set(e.key, digest);
      if (e.key === this.taskKey || this.digests.get(e.key) !== digest) writes.push(e);
    }
    for (const key of this.digests.keys()) if (!next.has(key)) writes.push({ key, value: null });
    return { writes, next };
  }

  accept(next: Map<string, string>): void {
    this.digests = next;
  }

  /** Sets the digests from what a restore read (the latest value per key). */
  restore(values: ReadonlyMap<string, Buffer>): void {
    this.digests = new Map();
    for (const [key, value] of values)
      this.digests.set(key, createHash('sha1').update(value).digest('base64'));
  }
}

/**
 * The base record's value: 4-byte big-endian length of the checkpoint manifest (JSON), the
 * manifest, then the data (all encoded operator snapshots).
 */
export function encodeSnapshotValue(checkpoint: CompletedCheckpoint): Buffer {
  const { data, metadata } = encodeCheckpoint(checkpoint);
  const meta = Buffer.from(JSON.stringify(metadata), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(meta.byteLength, 0);
  return Buffer.concat([head, meta, data]);
}

/** The restored snapshot of a task. */
export interface RestoredTaskSnapshot {
  readonly checkpoint: CompletedCheckpoint;
  /** The input offset committed with it. */
  readonly offset: number;
  /** Changelog offset of the base record. */
  readonly changelogOffset: number;
  /** The latest value of every changelog key of the task (for {@link ChangelogDigests.restore}). */
  readonly values: ReadonlyMap<string, Buffer>;
}

/** Decodes a base record alone (a checkpoint whose key groups were written with it, or none). */
export function decodeSnapshotRecord(record: KafkaRecord): RestoredTaskSnapshot {
  return assembleSnapshot(record, new Map());
}

/**
 * The base record plus the latest key-group records of the task (by changelog key, tombstones
 * already removed): the full checkpoint.
 */
export function assembleSnapshot(
  base: KafkaRecord,
  groups: ReadonlyMap<string, Buffer>,
): RestoredTaskSnapshot {
  const value = base.value;
  if (value === null) throw new Error(`changelog record ${base.partition}@${base.offset} has no value`);
  const length = value.readUInt32BE(0);
  const meta = value.subarray(4, 4 + length).toString('utf8');
  const data = new Uint8Array(value.subarray(4 + length));
  const offset = Number(headerString(base, CHANGELOG_HEADERS.offset));
  if (!Number.isSafeInteger(offset)) {
    throw new Error(`changelog record ${base.partition}@${base.offset} has no input offset header`);
  }
  const stripped = decodeCheckpoint(meta, data, `kafka:${base.topic}/${base.partition}@${base.offset}`);
  const taskKey = base.key?.toString('utf8') ?? '';
  const perInstance = new Map<string, [number, Buffer][]>();
  for (const [key, v] of groups) {
    const rest = key.slice(taskKey.length + 4); // after `<task>/kg/`
    const last = rest.lastIndexOf('/');
    const instance = rest.slice(0, last);
    let list = perInstance.get(instance);
    if (list === undefined) {
      list = [];
      perInstance.set(instance, list);
    }
    list.push([Number(rest.slice(last + 1)), v]);
  }
  const operators: Record<string, OperatorCheckpointState> = {};
  for (const [uid, op] of Object.entries(stripped.operators)) {
    const subtasks = op.subtasks.map((bytes, subtask) => {
      const kgs = perInstance.get(`${uid}/${subtask}`);
      if (kgs === undefined) return bytes;
      return encodeOperatorSnapshot(withKeyGroups(decodeOperatorSnapshot(bytes), kgs, uid));
    });
    operators[uid] = { ...op, subtasks };
  }
  const values = new Map(groups);
  values.set(taskKey, value);
  return {
    checkpoint: { ...stripped, operators },
    offset,
    changelogOffset: base.offset,
    values,
  };
}

function withKeyGroups(snapshot: OperatorSnapshot, kgs: [number, Buffer][], uid: string): OperatorSnapshot {
  kgs.sort((a, b) => a[0] - b[0]);
  const keyed: [number, Uint8Array][] = [];
  const timers: Record<string, [number, Uint8Array][]> = {};
  for (const [kg, value] of kgs) {
    const e = deserialize(value) as { keyed?: Uint8Array; timers: Record<string, Uint8Array> };
    if (e.keyed !== undefined) keyed.push([kg, e.keyed]);
    for (const [name, data] of Object.entries(e.timers)) {
      const list = timers[name] ?? [];
      list.push([kg, data]);
      timers[name] = list;
    }
  }
  const maxParallelism =
    snapshot.keyed?.maxParallelism ?? Object.values(snapshot.timers ?? {})[0]?.maxParallelism;
  if (maxParallelism === undefined)
    throw new Error(`changelog key groups for ${uid}, which has no keyed state`);
  const allTimers: Record<string, KeyGroupedSnapshot> = {};
  for (const name of new Set([...Object.keys(snapshot.timers ?? {}), ...Object.keys(timers)])) {
    allTimers[name] = { maxParallelism, groups: timers[name] ?? [] };
  }
  return {
    ...snapshot,
    keyed: { maxParallelism, groups: keyed },
    timers: allTimers,
  };
}

function headerString(record: KafkaRecord, name: string): string | undefined {
  const h = record.headers[name];
  return h === undefined ? undefined : h.toString();
}

/** Options of {@link readLatestSnapshot}. */
export interface ReadSnapshotOptions {
  readonly port: KafkaPort;
  readonly changelogTopic: string;
  readonly partition: number;
  /** Key of the task's base records (its key-group records start with `<key>/`). */
  readonly key: string;
  /** Key and value of the marker the new owner committed after fencing: read up to it. */
  readonly markerKey: string;
  readonly marker: string;
  /** Prefix of the throwaway consumer group. */
  readonly groupPrefix: string;
  readonly timeoutMs?: number;
}

/**
 * Reads one partition of the changelog with read_committed from the beginning up to the marker
 * the caller committed right after fencing the partition's previous producer, and assembles the
 * task's latest checkpoint from its base record and key-group records (undefined: no snapshot
 * yet). The marker makes "read to the end" exact: kafkajs does not hand over batches that hold
 * only control or aborted records, so an end offset alone cannot be waited for. kafkajs has no
 * manual assignment: the read goes through a throwaway consumer group (never committed, so the
 * broker drops it when empty) that pauses the other partitions.
 */
export async function readLatestSnapshot(
  options: ReadSnapshotOptions,
): Promise<RestoredTaskSnapshot | undefined> {
  const o = options;
  const consumer = o.port.consumer({
    groupId: `${o.groupPrefix}-restore-${randomUUID()}`,
    maxWaitTimeMs: 100,
  });
  const prefix = `${o.key}/kg/`;
  let base: KafkaRecord | undefined;
  const groups = new Map<string, Buffer>();
  try {
    return await new Promise<RestoredTaskSnapshot | undefined>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`restoring ${o.key} from ${o.changelogTopic} timed out`)),
        o.timeoutMs ?? 60_000,
      );
      const done = (error: unknown, value?: RestoredTaskSnapshot): void => {
        clearTimeout(timer);
        if (error !== undefined) reject(error);
        else resolve(value);
      };
      consumer.onCrash((error) => done(error));
      consumer.onAssignment((assignment) => {
        for (const tp of assignment) {
          const others = tp.partitions.filter((p) => p !== o.partition);
          if (others.length > 0) consumer.pause([{ topic: tp.topic, partitions: others }]);
        }
      });
      (async () => {
        await consumer.connect();
        await consumer.subscribe([o.changelogTopic], true);
        await consumer.run(async (batch) => {
          if (batch.partition !== o.partition) return;
          for (const r of batch.records) {
            const key = r.key?.toString('utf8');
            if (key === o.key) base = r;
            else if (key?.startsWith(prefix)) {
              if (r.value === null) groups.delete(key);
              else groups.set(key, r.value);
            } else if (key === o.markerKey && r.value?.toString('utf8') === o.marker) {
              try {
                done(undefined, base === undefined ? undefined : assembleSnapshot(base, groups));
              } catch (error) {
                done(error);
              }
              return;
            }
          }
        });
      })().catch((error: unknown) => done(error));
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
}
