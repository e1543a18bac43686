import type { JobClient } from '../../../core/api/job-client.js';

/** An operator that reports its partial matches per pattern (the dynamic CEP operator, the rules' group operator). */
interface PartialMatchReporter {
  partialMatchesByPattern(): Map<string, number>;
}

function reportsPartialMatches(op: unknown): op is PartialMatchReporter {
  return typeof (op as Partial<PartialMatchReporter>).partialMatchesByPattern === 'function';
}

/**
 * Partial matches per pattern id over every operator instance running in `jobs` that reports them
 * (`partialMatchesByPattern()`: the dynamic CEP operator, the rules layer's group operator)
 * (summed over subtasks and jobs). Walks keyed state: call it at metrics scrape time.
 *
 * @example
 * ```ts
 * for (const [rule, n] of partialMatchCounts([job])) gauge.set({ rule }, n);
 * ```
 */
export function partialMatchCounts(jobs: Iterable<JobClient>): Map<string, number> {
  const total = new Map<string, number>();
  for (const job of jobs) {
    for (const op of job.getRunningOperators()) {
      if (!reportsPartialMatches(op)) continue;
      for (const [id, n] of op.partialMatchesByPattern()) total.set(id, (total.get(id) ?? 0) + n);
    }
  }
  return total;
}
