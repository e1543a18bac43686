/**
 * Committed data is missing or damaged on disk (a CRC mismatch or gap below the committed end).
 * The log refuses to open rather than serve or silently drop committed records.
 *
 * @example
 * ```ts
 * try { await LocalLog.open(dir); } catch (e) { if (e instanceof LocalLogCorruptionError) alertOperator(e); }
 * ```
 */
export class LocalLogCorruptionError extends Error {
  override readonly name = 'LocalLogCorruptionError';
}

/**
 * Another live process holds the log directory's `LOCK` file (or this process has it open already).
 *
 * @example
 * ```ts
 * await expect(LocalLog.open(dir)).rejects.toThrow(LocalLogLockedError);
 * ```
 */
export class LocalLogLockedError extends Error {
  override readonly name = 'LocalLogLockedError';
}
