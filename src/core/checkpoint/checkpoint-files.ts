import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletedCheckpoint } from './completed-checkpoint.js';
import { encodeCheckpoint } from './snapshot-format.js';

/** Name of the manifest whose presence makes a checkpoint (or savepoint) directory complete. */
export const METADATA_FILE = '_metadata';

/**
 * Writes a checkpoint into an existing, empty directory atomically: `state.bin` written and
 * fsynced, then `_metadata` through a temporary file, fsynced, renamed, and the directory fsynced.
 * Shared by the checkpoint and savepoint storages (not exported from the package).
 */
export function writeCheckpointFiles(dir: string, checkpoint: CompletedCheckpoint): void {
  const { data, metadata } = encodeCheckpoint(checkpoint);
  writeDurably(join(dir, metadata.dataFile.name), data);
  const tmp = join(dir, `${METADATA_FILE}.inprogress`);
  writeDurably(tmp, new TextEncoder().encode(JSON.stringify(metadata)));
  renameSync(tmp, join(dir, METADATA_FILE));
  fsyncPath(dir);
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let at = 0;
    while (at < bytes.byteLength) at += writeSync(fd, bytes, at, bytes.byteLength - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a directory's entries (a rename, a new file) durable. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
