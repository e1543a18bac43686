import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Alert, RuleEvent } from '../../src/rules/index.js';
import { DAY, HOUR, loadExample, MIN, rulesDir, runRules } from '../rules/helpers.js';
import {
  awaitCanary,
  CANARY_RULE,
  call,
  eventually,
  type RunningService,
  subscribeAlerts,
  T0,
} from './service-harness.js';

// The example rules of rules/ with event scenarios (those of test/rules/examples.test.ts,
// restated: that file exports nothing), run through a real service over HTTP by
// example-rules.test.ts (embedded mode) and test/e2e/kafka-example-rules.test.ts (Kafka mode).
// Each example gets its own service whose RULES_DIR holds only that example (plus the canary
// rule), so it is loaded on first start and no other example reacts to its events. Phase 1 sends
// the events that must alert, phase 2 (shifted far later in event time) those that must not. The
// expected alerts are those of the engine run of test/rules/helpers.ts over the same events
// (alert ids are deterministic), and the restated expectations of examples.test.ts are checked.
//
// Event time in the service only moves with events (the watermark catches up with the highest
// event time after IDLE_FLUSH_MS without events), so time-driven alerts (the dormant-account
// absence, the sliding windows of transfer-velocity) are driven by a `tick` event that moves
// event time past them; the engine reference gets the same ticks. A canary event above every
// other event time then proves the pipeline caught up (see CANARY_RULE), with no fixed sleeps.

export interface Scenario {
  readonly name: string;
  /** Events that must alert (incl. ticks that move event time past time-driven alerts). */
  readonly alerting: readonly RuleEvent[];
  /** Events that must not alert (at their examples.test.ts times; shifted by the test). */
  readonly quiet: readonly RuleEvent[];
  /** Checks on the phase-1 alerts, restated from examples.test.ts. */
  readonly expectAlerts: (alerts: Alert[]) => void;
}

let seq = 0;
/** An event `at` seconds after T0 (+ `shift` seconds). */
const ev = (type: string, at: number, fields: Record<string, unknown> = {}): RuleEvent => ({
  type,
  ts: T0 + at * 1000,
  id: `x${++seq}`,
  ...fields,
});
const shifted = (events: readonly RuleEvent[], seconds: number): RuleEvent[] =>
  events.map((e) => ({ ...e, ts: (e.ts as number) + seconds * 1000, id: `${e.id as string}-q` }));

export const scenarios: Scenario[] = [
  {
    name: 'failed-logins-then-success',
    alerting: [
      ev('login_failed', 0, { user: 'ann', ip: '10.0.0.1' }),
      ev('login_failed', 30, { user: 'ann', ip: '10.0.0.1' }),
      ev('login_failed', 60, { user: 'bob', ip: '10.0.0.7' }),
      ev('login_failed', 90, { user: 'ann', ip: '10.0.0.1' }),
      ev('login_failed', 100, { user: 'ann', ip: '10.0.0.1' }),
      ev('login_success', 120, { user: 'ann', ip: '10.0.0.9' }),
    ],
    quiet: [
      ev('login_failed', 0, { user: 'ann' }),
      ev('login_failed', 10, { user: 'ann' }),
      ev('login_success', 20, { user: 'ann' }),
      ev('login_failed', 1000, { user: 'bob' }),
      ev('login_failed', 1010, { user: 'bob' }),
      ev('login_failed', 1020, { user: 'bob' }),
      ev('login_success', 1000 + 5 * MIN + 1, { user: 'bob' }),
      ev('login_failed', 2000, { user: 'cid' }),
      ev('login_failed', 2010, { user: 'cid' }),
      ev('login_success', 2020, { user: 'cid' }),
      ev('login_failed', 2030, { user: 'cid' }),
      ev('login_success', 2040, { user: 'cid' }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.map((a) => [a.ruleId, a.key, a.severity, a.message])).toEqual([
        [
          'failed-logins-then-success',
          '[["user","ann"]]',
          'high',
          '4 failed logins then a success for user=ann from 10.0.0.9',
        ],
      ]);
      expect(alerts[0]!.fields).toEqual({ user: 'ann', ip: '10.0.0.9' });
      expect(alerts[0]!.stages.failures).toHaveLength(4);
    },
  },
  {
    name: 'card-testing',
    alerting: [
      ev('payment', 0, { card: 'c1', amount: 1, merchant: 'm0' }),
      ev('payment', 60, { card: 'c1', amount: 2.5, merchant: 'm0' }),
      ev('payment', 61, { card: 'c2', amount: 900, merchant: 'm9' }),
      ev('payment', 120, { card: 'c1', amount: 0.5, merchant: 'm0' }),
      ev('payment', 500, { card: 'c1', amount: 950, merchant: 'shop' }),
    ],
    quiet: [
      ev('payment', 0, { card: 'c1', amount: 1 }),
      ev('payment', 10, { card: 'c1', amount: 1 }),
      ev('payment', 20, { card: 'c1', amount: 900 }),
      ev('payment', 1000, { card: 'c2', amount: 1 }),
      ev('payment', 1010, { card: 'c2', amount: 1 }),
      ev('payment', 1020, { card: 'c2', amount: 1 }),
      ev('payment', 1000 + 10 * MIN + 1, { card: 'c2', amount: 900 }),
      ev('payment', 3000, { card: 'c3', amount: 4.9 }),
      ev('payment', 3010, { card: 'c3', amount: 4.9 }),
      ev('payment', 3020, { card: 'c3', amount: 4.9 }),
      ev('payment', 3030, { card: 'c3', amount: 195 }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.map((a) => a.message)).toEqual(['card c1: 3 small payments then 950 at shop']);
      expect(alerts[0]!.severity).toBe('critical');
      expect(alerts[0]!.eventTimeEnd - alerts[0]!.eventTimeStart).toBe(500_000);
    },
  },
  {
    name: 'impossible-travel',
    alerting: [
      ev('login', 0, { user: 'ann', country: 'FR' }),
      ev('login', 600, { user: 'ann', country: 'FR' }),
      ev('login', 1800, { user: 'ann', country: 'BR' }),
    ],
    quiet: [
      ev('login', 0, { user: 'ann', country: 'FR' }),
      ev('login', 100, { user: 'bob', country: 'US' }),
      ev('login', 200, { user: 'ann', country: 'FR' }),
      ev('login', 5000, { user: 'cid', country: 'DE' }),
      ev('login', 5000 + HOUR + 1, { user: 'cid', country: 'JP' }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.map((a) => a.message)).toEqual(['user=ann logged in from FR then BR within an hour']);
    },
  },
  {
    name: 'transfer-velocity',
    alerting: [
      ev('transfer', 10 * HOUR, { account: 'a1', amount: 6000 }),
      ev('payment', 11 * HOUR, { account: 'a1', amount: 50000 }),
      ev('transfer', 20 * HOUR + 30 * MIN, { account: 'a1', amount: 4500 }),
      // Moves event time past the end of the last 24 h window holding the 10:00 transfer.
      ev('tick', 2 * DAY, { account: 'zz' }),
    ],
    quiet: [
      ev('transfer', 0, { account: 'a1', amount: 6000 }),
      ev('transfer', 0, { account: 'a2', amount: 9000 }),
      ev('transfer', 100, { account: 'a1', amount: 4000 }),
      ev('transfer', DAY + HOUR, { account: 'a2', amount: 9000 }),
      ev('tick', 3 * DAY, { account: 'zz' }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.length).toBe(14);
      expect(new Set(alerts.map((a) => a.alertId)).size).toBe(14);
      expect(alerts.every((a) => a.kind === 'threshold' && a.value === 10500 && a.count === 2)).toBe(true);
      expect(alerts[0]!.message).toBe('10500 transferred from account=a1 in 24 hours (2 transfers)');
      expect(alerts.every((a) => a.eventTimeEnd - a.eventTimeStart === DAY * 1000)).toBe(true);
    },
  },
  {
    name: 'account-takeover',
    alerting: [
      ev('password_change', 0, { user: 'ann', device: 'd1' }),
      ev('login', 100, { user: 'ann', device: 'd1' }),
      ev('login', 200, { user: 'ann', device: 'd666' }),
      ev('payout', 300, { user: 'ann', amount: 2500 }),
    ],
    quiet: [
      ev('password_change', 0, { user: 'ann', device: 'd1' }),
      ev('login', 100, { user: 'ann', device: 'd1' }),
      ev('payout', 300, { user: 'ann', amount: 2500 }),
      ev('login', 400, { user: 'bob', device: 'd9' }),
      ev('password_change', 500, { user: 'bob', device: 'd1' }),
      ev('payout', 600, { user: 'bob', amount: 10 }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.map((a) => a.message)).toEqual([
        'user=ann: password changed, login from new device d666, payout of 2500',
      ]);
      expect(alerts[0]!.fields).toEqual({ user: 'ann', device: 'd666', amount: 2500 });
    },
  },
  {
    name: 'dormant-account',
    alerting: [
      ev('login', 0, { account: 'a1' }),
      ev('login', 10, { account: 'a2' }),
      ev('activity', 20 * DAY, { account: 'a2' }),
      // Moves event time past 30 days: a1 alerts, a3 logs in.
      ev('login', 31 * DAY, { account: 'a3' }),
      // The engine test ends its input here (time flushes to +inf); the service needs a later
      // event to move event time past a3's 30 days.
      ev('tick', 62 * DAY, { account: 'zz' }),
    ],
    quiet: [
      ev('login', 0, { account: 'a1' }),
      ev('activity', 29 * DAY, { account: 'a1' }),
      ev('tick', 60 * DAY, { account: 'zz' }),
    ],
    expectAlerts: (alerts) => {
      expect(alerts.map((a) => [a.key, a.eventTimeStart, Object.keys(a.stages)])).toEqual([
        ['[["account","a1"]]', T0, ['login']],
        ['[["account","a3"]]', T0 + 31 * DAY * 1000, ['login']],
      ]);
      expect(alerts.map((a) => a.severity)).toEqual(['low', 'low']);
      expect(alerts[0]!.message).toBe(`account=a1 dormant: no activity within 30 days of the login at ${T0}`);
    },
  },
];

/** Phase 2 starts this long after T0: past every window and `within` of phase 1. */
const QUIET_SHIFT = 200 * DAY;

const byEnd = (a: Alert, b: Alert): number =>
  a.eventTimeEnd - b.eventTimeEnd || (a.alertId < b.alertId ? -1 : 1);

/**
 * Runs `scenario` against a service that `start` boots with the given env (`RULES_DIR` holding
 * only the scenario's example and the canary rule); `tmpDirs` collects the temp dirs to delete.
 */
export async function runExampleScenario(
  scenario: Scenario,
  start: (env: Record<string, string>) => Promise<RunningService>,
  tmpDirs: string[],
): Promise<void> {
  const rules = mkdtempSync(join(tmpdir(), 'cep-example-rules-'));
  tmpDirs.push(rules);
  copyFileSync(join(rulesDir, `${scenario.name}.json`), join(rules, `${scenario.name}.json`));
  writeFileSync(join(rules, 'canary.json'), JSON.stringify(CANARY_RULE));
  const svc = await start({ RULES_DIR: rules, LOAD_EXAMPLE_RULES: 'true' });
  try {
    // Loaded on first start, as stored in rules/.
    const listed = (await call(`${svc.url}/rules`, 'GET')).body as { id: string; version: number }[];
    expect(listed.map((r) => r.id).sort()).toEqual(['canary', scenario.name].sort());
    const example = loadExample(scenario.name);
    expect((await call(`${svc.url}/rules/${scenario.name}`, 'GET')).body).toMatchObject({
      id: example.id,
      version: example.version,
      status: 'active',
    });

    const quiet = shifted(scenario.quiet, QUIET_SHIFT);
    const lastTs = (events: readonly RuleEvent[]): number => Math.max(...events.map((e) => e.ts as number));
    const [expectedPhase1, expectedAll] = await Promise.all([
      runRules([example], scenario.alerting),
      runRules([example], [...scenario.alerting, ...quiet]),
    ]);
    expect(expectedPhase1.rejected).toEqual([]);
    scenario.expectAlerts(expectedPhase1.alerts);
    // The quiet events add no alert to the engine run either.
    expect(expectedAll.alerts.map((a) => a.alertId)).toEqual(expectedPhase1.alerts.map((a) => a.alertId));

    const sse = subscribeAlerts(svc.url, `?ruleId=${scenario.name}`);
    await sse.ready;
    const alertsOf = async (): Promise<Alert[]> =>
      ((await call(`${svc.url}/alerts?ruleId=${scenario.name}&limit=1000`, 'GET')).body as Alert[]).sort(
        byEnd,
      );

    // Phase 1: events that must alert.
    const r1 = await call(`${svc.url}/events`, 'POST', scenario.alerting);
    expect(r1.status).toBe(202);
    expect(r1.body).toMatchObject({ accepted: scenario.alerting.length, deadLettered: 0 });
    await awaitCanary(svc.url, 'phase-1', lastTs(scenario.alerting) + 1);
    const phase1 = await alertsOf();
    expect(phase1).toEqual(expectedPhase1.alerts);
    scenario.expectAlerts(phase1);

    // Phase 2: events that must not alert.
    const r2 = await call(`${svc.url}/events`, 'POST', quiet);
    expect(r2.body).toMatchObject({ accepted: quiet.length, deadLettered: 0 });
    await awaitCanary(svc.url, 'phase-2', lastTs(quiet) + 1);
    const all = await alertsOf();
    expect(all.map((a) => a.alertId)).toEqual(phase1.map((a) => a.alertId));

    // The live stream saw the same alerts, each once (committed alerts are streamed in the
    // order they are read from the topic, so wait for the count, then compare).
    await eventually(async () => sse.alerts.length >= all.length);
    sse.close();
    expect(sse.alerts.map((a: Alert) => a.alertId).sort()).toEqual(all.map((a) => a.alertId).sort());

    const metrics = (await call(`${svc.url}/metrics`, 'GET')).body as string;
    if (all.length > 0)
      expect(metrics).toMatch(
        new RegExp(`^alerts_out_total\\{rule="${scenario.name}"\\} ${all.length}$`, 'm'),
      );
    expect(metrics).toMatch(/^rules_active 2$/m);
  } finally {
    await svc.close();
  }
}
