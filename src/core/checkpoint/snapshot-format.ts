import { crc32 } from 'node:zlib';
import type { CompletedCheckpoint, OperatorCheckpointState, SnapshotKind } from './completed-checkpoint.js';

/** Bumped when the layout of a stored checkpoint changes incompatibly. */
export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 'ts-streaming-checkpoint';
/** Name of the data file inside a checkpoint directory. */
export const CHECKPOINT_DATA_FILE = 'state.bin';

type Range = readonly [offset: number, length: number];

/**
 * The `_metadata` manifest of a stored checkpoint: a JSON header (format version, job, checkpoint
 * id, timestamp) and, per operator uid, where each instance's encoded snapshot lies in the data
 * file. JSON keeps it inspectable with a text editor; the bulk state stays binary.
 *
 * @example
 * ```ts
 * const { metadata } = encodeCheckpoint(checkpoint);
 * console.log(metadata.formatVersion, Object.keys(metadata.operators));
 * ```
 */
export interface CheckpointMetadata {
  readonly magic: string;
  readonly formatVersion: number;
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly kind: SnapshotKind;
  readonly finalCheckpoint: boolean;
  /** An incremental checkpoint: the checkpoint its keyed state deltas build on. */
  readonly base?: number;
  readonly dataFile: { readonly name: string; readonly size: number; readonly crc32: number };
  readonly operators: Readonly<
    Record<
      string,
      {
        readonly parallelism: number;
        readonly maxParallelism: number;
        readonly subtasks: readonly Range[];
        readonly coordinator?: Range;
      }
    >
  >;
}

/**
 * Lays a checkpoint out as one data file (all encoded snapshots back to back) and its manifest.
 *
 * @example
 * ```ts
 * const { data, metadata } = encodeCheckpoint(checkpoint);
 * const back = decodeCheckpoint(JSON.stringify(metadata), data);
 * ```
 */
export function encodeCheckpoint(checkpoint: CompletedCheckpoint): {
  data: Uint8Array;
  metadata: CheckpointMetadata;
} {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const add = (bytes: Uint8Array): Range => {
    parts.push(bytes);
    const range: Range = [offset, bytes.byteLength];
    offset += bytes.byteLength;
    return range;
  };
  const operators: Record<string, CheckpointMetadata['operators'][string]> = {};
  for (const uid of Object.keys(checkpoint.operators).sort()) {
    const op = checkpoint.operators[uid]!;
    operators[uid] = {
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      subtasks: op.subtasks.map(add),
      ...(op.coordinator ? { coordinator: add(op.coordinator) } : {}),
    };
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.byteLength;
  }
  return {
    data,
    metadata: {
      magic: MAGIC,
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      jobId: checkpoint.jobId,
      jobName: checkpoint.jobName,
      checkpointId: checkpoint.checkpointId,
      timestamp: checkpoint.timestamp,
      kind: checkpoint.kind,
      finalCheckpoint: checkpoint.finalCheckpoint,
      ...(checkpoint.base !== undefined ? { base: checkpoint.base } : {}),
      dataFile: { name: CHECKPOINT_DATA_FILE, size: data.byteLength, crc32: crc32(data) },
      operators,
    },
  };
}

/**
 * Parses and validates a manifest; rejects foreign files and newer format versions.
 *
 * @example
 * ```ts
 * const meta = parseCheckpointMetadata(await readFile(join(dir, '_metadata'), 'utf8'));
 * ```
 */
export function parseCheckpointMetadata(text: string): CheckpointMetadata {
  let meta: CheckpointMetadata;
  try {
    meta = JSON.parse(text) as CheckpointMetadata;
  } catch (err) {
    throw new Error('checkpoint metadata is not valid JSON', { cause: err });
  }
  if (meta?.magic !== MAGIC) throw new Error('not a checkpoint metadata file');
  if (meta.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new Error(
      `checkpoint format ${meta.formatVersion} is not supported (this version reads ${CHECKPOINT_FORMAT_VERSION})`,
    );
  }
  return meta;
}

/**
 * Rebuilds a checkpoint from its manifest and data file, checking size and checksum.
 *
 * @example
 * ```ts
 * const checkpoint = decodeCheckpoint(meta, await readFile(join(dir, meta.dataFile.name)), dir);
 * ```
 */
export function decodeCheckpoint(
  metadata: CheckpointMetadata | string,
  data: Uint8Array,
  externalPointer?: string,
): CompletedCheckpoint {
  const meta = typeof metadata === 'string' ? parseCheckpointMetadata(metadata) : metadata;
  if (data.byteLength !== meta.dataFile.size || crc32(data) !== meta.dataFile.crc32) {
    throw new Error(`checkpoint ${meta.checkpointId}: data file is corrupt (size or checksum mismatch)`);
  }
  const slice = ([offset, length]: Range): Uint8Array => data.slice(offset, offset + length);
  const operators: Record<string, OperatorCheckpointState> = {};
  for (const [uid, op] of Object.entries(meta.operators)) {
    operators[uid] = {
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      subtasks: op.subtasks.map(slice),
      ...(op.coordinator ? { coordinator: slice(op.coordinator) } : {}),
    };
  }
  return {
    jobId: meta.jobId,
    jobName: meta.jobName,
    checkpointId: meta.checkpointId,
    timestamp: meta.timestamp,
    kind: meta.kind,
    finalCheckpoint: meta.finalCheckpoint,
    operators,
    ...(meta.base !== undefined ? { base: meta.base } : {}),
    ...(externalPointer !== undefined ? { externalPointer } : {}),
  };
}
