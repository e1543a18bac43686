/**
 * Small helpers of the CEP benchmarks: statistics over timed runs, heap measurement after a full
 * GC, number formatting and a compact table printer.
 */

/** Median, min and max of a non-empty list. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new Error('summarize: no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

const gcFn = (globalThis as { gc?: () => void }).gc;

/** Whether `global.gc` is available (node --expose-gc). */
export const hasGc = typeof gcFn === 'function';

/** heapUsed in bytes after (when possible) a few full GCs. */
export function heapAfterGc(): number {
  if (gcFn) {
    gcFn();
    gcFn();
    gcFn();
  }
  return process.memoryUsage().heapUsed;
}

/** Waits for the event loop (lets timers, I/O and the job scheduler run). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** 1234567 -> "1.23M", 45678 -> "45.7k". */
export function fmtRate(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** Integer with thousands separators. */
export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** Bytes as MiB with one decimal. */
export function fmtMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Prints rows as a left-aligned text table with a header rule. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
