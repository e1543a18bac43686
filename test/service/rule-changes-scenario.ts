import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/rules/index.js';
import {
  awaitCanary,
  CANARY_RULE,
  call,
  eventually,
  type RunningService,
  removeServiceDirs,
  T0,
} from './service-harness.js';

// Rule A is created, updated, paused, resumed and deleted while events flow (a background
// streamer posts A events and noise the whole time); rule B's partial matches, started before the
// first change, complete after the last one. Changes reach the engine asynchronously (the rules
// topic and the events topic are read independently), so each change is followed by a barrier:
// a new version of the sync rule C, and sync events until an alert of that version shows. Rule
// updates apply in log order, so every event posted after the barrier sees A's change. Events
// posted around a change (the streamer's) are only checked for invariants. A change applies to
// every event the watermark has not passed yet (the engine's semantics), so each phase's events
// are also drained (a later sync event alerted) before the next change.

const ruleA = (version: number, minLevel: number, status = 'active') => ({
  id: 'rule-a',
  version,
  status,
  kind: 'pattern',
  key: ['akey'],
  stages: [{ name: 'a', condition: `e.type == "a" && e.level >= ${minLevel}` }],
  alert: { severity: 'low', message: 'a for {{key}}' },
});
const ruleB = {
  id: 'rule-b',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'b1', condition: 'e.type == "b1"' },
    { name: 'b2', contiguity: 'followedBy', condition: 'e.type == "b2"' },
    { name: 'b3', contiguity: 'followedBy', condition: 'e.type == "b3"' },
  ],
  within: 'P1D',
  skip: 'skipPastLastEvent',
  alert: { severity: 'high', message: 'b1 b2 b3 for {{key}}' },
};
const ruleC = (version: number) => ({
  id: 'rule-c',
  version,
  status: 'active',
  kind: 'pattern',
  key: ['sid'],
  stages: [{ name: 's', condition: 'e.type == "sync"' }],
  alert: { severity: 'low', message: 'sync {{key}}' },
});

/**
 * Defines the test against a service that `start` boots with the given env (embedded mode in
 * rule-changes-under-load.test.ts, Kafka mode in test/e2e/kafka-rule-changes.test.ts).
 */
export function defineRuleChangesTest(
  mode: string,
  start: (env: Record<string, string>) => Promise<RunningService>,
): void {
  let svc: RunningService;
  beforeAll(async () => {
    // Every alert stays in GET /alerts (default: the newest 1000): when the job lags, a checkpoint
    // makes a burst of alerts visible at once, which could push a phase's alerts out unseen.
    svc = await start({
      LOAD_EXAMPLE_RULES: 'false',
      CHECKPOINT_INTERVAL_MS: '100',
      ALERT_BUFFER_SIZE: '100000',
    });
  });
  afterAll(async () => {
    await svc.close();
    removeServiceDirs();
  });

  /** Event time: strictly increasing, one second per event. */
  let clock = T0;
  const nextTs = (): number => {
    clock += 1000;
    return clock;
  };
  /**
   * Every POST goes through this queue, so events reach the log in event-time order (none is ever
   * behind the watermark, whatever the idle flush does).
   */
  let queue: Promise<unknown> = Promise.resolve();
  function post(make: () => Record<string, unknown>[]): Promise<void> {
    const p = queue.then(async () => {
      const events = make();
      const r = await call(`${svc.url}/events`, 'POST', events);
      expect(r.status).toBe(202);
      expect(r.body.accepted).toBe(events.length);
    });
    queue = p.catch(() => undefined);
    return p;
  }

  const alertsOf = async (ruleId: string): Promise<Alert[]> =>
    (await call(`${svc.url}/alerts?ruleId=${ruleId}&limit=1000`, 'GET')).body as Alert[];

  let syncN = 0;
  /** Stores C v`version` and waits until a sync event posted after it alerts with that version. */
  async function barrier(version: number): Promise<void> {
    const r =
      version === 1
        ? await call(`${svc.url}/rules`, 'POST', ruleC(1))
        : await call(`${svc.url}/rules/rule-c`, 'PUT', ruleC(version));
    expect(r.status).toBe(version === 1 ? 201 : 200);
    await eventually(async () => {
      await post(() => [{ type: 'sync', sid: `s${++syncN}`, ts: nextTs() }]);
      return (await alertsOf('rule-c')).some((a) => a.version === version);
    }, 20_000);
  }

  /**
   * Waits until the watermark passed every event posted so far: posts one sync event after them
   * and waits for its alert. A rule change applies to every event the watermark has not passed
   * yet, so a phase's events must be drained before the next change.
   */
  async function drain(): Promise<void> {
    const sid = `s${++syncN}`;
    await post(() => [{ type: 'sync', sid, ts: nextTs() }]);
    await eventually(async () =>
      (await alertsOf('rule-c')).some((a) => a.key === JSON.stringify([['sid', sid]])),
    );
  }

  /** A events for phase `phase`: keys `phase-i`, levels alternating 1 and 2. */
  const phaseEvents = (phase: string, n = 6) =>
    Array.from({ length: n }, (_, i) => ({
      type: 'a',
      akey: `${phase}-${i}`,
      level: 1 + (i % 2),
      ts: nextTs(),
    }));

  describe(`rule changes while events flow (${mode})`, () => {
    it('applies create/update/pause/resume/delete of rule A; rule B completes its partial matches across them', async () => {
      expect((await call(`${svc.url}/rules`, 'POST', CANARY_RULE)).status).toBe(201);
      expect((await call(`${svc.url}/rules`, 'POST', ruleB)).status).toBe(201);
      expect((await call(`${svc.url}/rules`, 'POST', ruleA(1, 1))).status).toBe(201);
      await barrier(1);

      // The background flow: A events under rotating keys, and noise, until stopped.
      let streaming = true;
      let bg = 0;
      const streamer = (async () => {
        while (streaming) {
          await post(() => [
            { type: 'a', akey: `bg-${bg}`, level: 1 + (bg++ % 2), ts: nextTs() },
            { type: 'noise', user: 'u0', akey: 'x', ts: nextTs() },
          ]);
          // Paced: at most ~20 posts/s, so a loaded machine keeps up and the background alerts of
          // a whole run stay well within the 1000 that GET /alerts returns.
          await new Promise((r) => setTimeout(r, 50));
        }
      })();

      // B's partial matches (b1, b2 for 10 users), before any change of A.
      const users = Array.from({ length: 10 }, (_, i) => `u${i}`);
      await post(() => users.flatMap((user) => [{ type: 'b1', user, ts: nextTs() }]));
      await post(() => users.flatMap((user) => [{ type: 'b2', user, ts: nextTs() }]));
      const bStart = clock;

      const p1 = phaseEvents('p1');
      await post(() => p1);
      await eventually(
        async () => (await alertsOf('rule-a')).filter((a) => a.key.includes('"p1-')).length === p1.length,
      );

      // Update: v2 matches only level >= 2.
      expect((await call(`${svc.url}/rules/rule-a`, 'PUT', ruleA(2, 2))).status).toBe(200);
      await barrier(2);
      const p2 = phaseEvents('p2');
      await post(() => p2);
      await drain();

      // Pause (stored as v3).
      const paused = await call(`${svc.url}/rules/rule-a/status`, 'PATCH', { status: 'paused' });
      expect(paused.body).toMatchObject({ version: 3, status: 'paused' });
      await barrier(3);
      const p3 = phaseEvents('p3');
      await post(() => p3);
      await drain();

      // Resume (v4, the v2 definition).
      const resumed = await call(`${svc.url}/rules/rule-a/status`, 'PATCH', { status: 'active' });
      expect(resumed.body).toMatchObject({ version: 4, status: 'active' });
      await barrier(4);
      const p4 = phaseEvents('p4');
      await post(() => p4);
      await drain();

      // Delete (tombstone v5).
      expect((await call(`${svc.url}/rules/rule-a`, 'DELETE')).status).toBe(204);
      await barrier(5);
      const p5 = phaseEvents('p5');
      await post(() => p5);
      await drain();

      streaming = false;
      await streamer;
      // B's partial matches complete.
      await post(() => users.map((user) => ({ type: 'b3', user, ts: nextTs() })));
      await awaitCanary(svc.url, 'end', nextTs());

      const b = await alertsOf('rule-b');
      expect(b.map((a) => a.key).sort()).toEqual(users.map((u) => JSON.stringify([['user', u]])).sort());
      for (const alert of b) {
        expect(alert.version).toBe(1);
        expect(Object.keys(alert.stages)).toEqual(['b1', 'b2', 'b3']);
        // b1 and b2 arrived before the first change of A, b3 after the last.
        expect(alert.stages.b1![0]!.ts).toBeLessThan(bStart);
        expect(alert.stages.b2![0]!.ts).toBeLessThanOrEqual(bStart);
        expect(alert.stages.b3![0]!.ts).toBeGreaterThan(p5.at(-1)!.ts);
      }

      const a = await alertsOf('rule-a');
      expect(new Set(a.map((x) => x.alertId)).size).toBe(a.length); // each once
      const versionsOf = (phase: string) =>
        a
          .filter((x) => x.key.includes(`"${phase}-`))
          .map((x) => [JSON.parse(x.key)[0][1], x.version])
          .sort();
      const level2 = (events: { akey: string; level: number }[]) => events.filter((e) => e.level >= 2);
      expect(versionsOf('p1')).toEqual(p1.map((e) => [e.akey, 1]).sort());
      expect(versionsOf('p2')).toEqual(
        level2(p2)
          .map((e) => [e.akey, 2])
          .sort(),
      );
      expect(versionsOf('p3')).toEqual([]);
      expect(versionsOf('p4')).toEqual(
        level2(p4)
          .map((e) => [e.akey, 4])
          .sort(),
      );
      expect(versionsOf('p5')).toEqual([]);
      // The background events around the changes: each alert is from a version that matches it
      // (v1 any level, v2/v4 level 2 only), never from the paused or deleted rule.
      expect(bg).toBeGreaterThan(0);
      for (const x of a.filter((y) => y.key.includes('"bg-'))) {
        const i = Number(JSON.parse(x.key)[0][1].slice(3));
        expect([1, 2, 4]).toContain(x.version);
        if (x.version !== 1) expect(1 + (i % 2)).toBe(2);
      }
    }, 90_000);
  });
}
