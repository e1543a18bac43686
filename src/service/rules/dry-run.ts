import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../core/index.js';
import {
  type Alert,
  ConditionErrors,
  parseEvent,
  type Rule,
  type RuleEvent,
  RulePipeline,
  type RuleUpdate,
  ruleUpdate,
} from '../../rules/index.js';

/**
 * The result of {@link dryRun}: the alerts the rule raises on the sample events, the sample events
 * that were refused (index and reason), the engine's refusal of the rule if any, and run-time
 * condition failures.
 *
 * @example
 * ```ts
 * const r: DryRunResult = { alerts: [], invalidEvents: [{ index: 2, reason: 'ts is missing' }], conditionErrors: 0 };
 * ```
 */
export interface DryRunResult {
  readonly alerts: Alert[];
  readonly invalidEvents: { readonly index: number; readonly reason: string }[];
  readonly rejected?: string;
  readonly conditionErrors: number;
}

/** Most sample events in one dry run. */
export const DRY_RUN_MAX_EVENTS = 10_000;

/**
 * Runs `rule` over `samples` on a throwaway engine job (bounded: the end of the samples flushes
 * event time, so `within` timeouts and absence rules fire too). Events are sorted by timestamp
 * first (ties keep their order), so samples need not be in order. The job is cancelled after
 * `timeoutMs`.
 *
 * @example
 * ```ts
 * const { alerts } = await dryRun(rule, [{ type: 'login_failed', ts: 1, user: 'ann' }]);
 * ```
 */
export async function dryRun(
  rule: Rule,
  samples: readonly unknown[],
  timeoutMs = 10_000,
): Promise<DryRunResult> {
  const invalidEvents: { index: number; reason: string }[] = [];
  const events: RuleEvent[] = [];
  samples.forEach((s, index) => {
    const p = parseEvent(s);
    if (p.ok) events.push(p.event);
    else invalidEvents.push({ index, reason: p.reason });
  });
  events.sort((a, b) => (a.ts as number) - (b.ts as number));
  const errors = new ConditionErrors();
  const env = new StreamExecutionEnvironment({ parallelism: 1, autoWatermarkInterval: 0 });
  const input = env.fromCollection(events).assignTimestampsAndWatermarks(
    WatermarkStrategy.forGenerator<RuleEvent>(() => ({
      onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.ts as number),
  );
  const updates = env.fromCollection<RuleUpdate>([ruleUpdate({ ...rule, status: 'active' })]);
  const { alerts, rejectedUpdates } = RulePipeline.alerts(input, updates, { errors });
  const out = new CollectSink<Alert>();
  const rejected = new CollectSink<string>();
  alerts.sinkTo(out);
  rejectedUpdates.map((r) => r.reason).sinkTo(rejected);
  const job = env.execute('dry-run');
  const timer = setTimeout(() => void job.cancel(), timeoutMs);
  try {
    const result = await job;
    if (result.status !== 'FINISHED') throw new Error(`dry run took longer than ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
  }
  return {
    alerts: [...out.values].sort(
      (a, b) => a.eventTimeEnd - b.eventTimeEnd || (a.alertId < b.alertId ? -1 : 1),
    ),
    invalidEvents,
    rejected: rejected.values[0],
    conditionErrors: errors.count(rule.id),
  };
}
