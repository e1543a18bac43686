import type { JobClient } from '../../../core/api/job-client.js';
import { DynamicCepOperator } from './dynamic-cep-operator.js';

/**
 * Partial matches per pattern id over every dynamic CEP operator instance running in `jobs`
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
      if (!(op instanceof DynamicCepOperator)) continue;
      for (const [id, n] of op.partialMatchesByPattern()) total.set(id, (total.get(id) ?? 0) + n);
    }
  }
  return total;
}
