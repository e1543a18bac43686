import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { WATERMARK_HEADERS } from '../../src/core/connectors/kafka/index.js';
import { type Alert, type RuleEvent, validateRule } from '../../src/rules/index.js';
import { testKafka } from '../integration/kafka/kafka-test-client.js';
import { runRules } from '../rules/helpers.js';
import { call, type RunningService, removeServiceDirs, T0 } from '../service/service-harness.js';
import { offsetsAfter, waitForGroupOffsets } from './group-caught-up.js';
import { startKafkaService, uniqueApp } from './kafka-service.js';
import { TopicRecords } from './topic-records.js';

// Malformed events in Kafka mode are dead-lettered and processing goes on: an invalid event posted
// over HTTP is refused at once (202 with the reason) and written as JSON to `<app>-dead-letters`;
// records produced straight to the events topic that are not JSON or not valid events are
// dead-lettered by the router task (the original bytes, with `dlq.*` headers saying why and where
// from, in the task's transaction), and the valid events around them still alert.

const services: RunningService[] = [];
afterAll(async () => {
  for (const s of services) await s.close().catch(() => {});
  removeServiceDirs();
});

const RULE = {
  id: 'login-payout',
  version: 1,
  status: 'active',
  kind: 'pattern',
  key: ['user'],
  stages: [
    { name: 'login', condition: 'e.type == "login"' },
    { name: 'payout', contiguity: 'followedBy', condition: 'e.type == "payout" && e.amount > 500.0' },
  ],
  within: 'PT10M',
  alert: { severity: 'high', message: 'payout {{payout.amount}} for {{key}}' },
};

const at = (seconds: number): number => T0 + seconds * 1000;

describe('dead letters in Kafka mode', () => {
  it('refuses invalid events over HTTP and dead-letters undecodable records in the router, and valid events around them alert', async () => {
    const app = uniqueApp('dlq');
    const svc = await startKafkaService(app, { LOAD_EXAMPLE_RULES: 'false' });
    services.push(svc);
    const deadLetters = await TopicRecords.start(`${app}-dead-letters`);
    const alerts = await TopicRecords.start(`${app}-alerts`);
    onTestFailed(() => {
      const show = (rs: TopicRecords) =>
        rs.records.map(
          (r) => `${r.partition}@${r.offset} ${JSON.stringify(r.headers)} ${r.value?.toString()}`,
        );
      console.error(
        `app ${app}\ndead letters:\n${show(deadLetters).join('\n')}\nalerts:\n${show(alerts).join('\n')}`,
      );
    });
    try {
      expect((await call(`${svc.url}/rules`, 'POST', RULE)).status).toBe(201);

      // (a) Over HTTP: the invalid event is refused with its reason, the valid ones are accepted.
      const httpEvents: RuleEvent[] = [
        { type: 'login', user: 'carol', ts: at(0), id: 'h1' },
        { type: 'payout', user: 'carol', amount: 900, ts: at(30), id: 'h2' },
      ];
      const invalid = { type: 'payout', user: 'carol', amount: 700, id: 'h-bad' };
      const r = await call(`${svc.url}/events`, 'POST', [httpEvents[0], invalid, httpEvents[1]]);
      expect(r.status).toBe(202);
      expect(r.body).toEqual({
        accepted: 2,
        deadLettered: 1,
        deadLetters: [{ index: 1, reason: 'ts is missing' }],
      });
      await deadLetters.waitUntil((rs) => rs.length >= 1, 'the HTTP dead letter', 30_000);
      const http = deadLetters.records[0]!;
      expect(http.headers['dlq.reason']).toBe('ts is missing');
      expect(http.headers['dlq.source']).toBe('http');
      expect(JSON.parse(http.value!)).toMatchObject({
        source: 'http',
        reason: 'ts is missing',
        payload: invalid,
      });

      // (b) Straight to the events topic (one partition): a valid login, a record that is not
      // JSON, a JSON event without `ts`, a valid payout completing the login, then another pair.
      const direct: (RuleEvent | string)[] = [
        { type: 'login', user: 'dave', ts: at(100), id: 'k1' },
        'not json {',
        JSON.stringify({ type: 'payout', user: 'dave', amount: 800, id: 'k-no-ts' }),
        { type: 'payout', user: 'dave', amount: 950, ts: at(130), id: 'k2' },
        { type: 'login', user: 'erin', ts: at(140), id: 'k3' },
        { type: 'payout', user: 'erin', amount: 600, ts: at(150), id: 'k4' },
      ];
      const producer = testKafka('e2e-dlq-producer').producer();
      await producer.connect();
      const [sent] = await producer.send({
        topic: `${app}-events`,
        messages: direct.map((d) => ({
          partition: 0,
          value: typeof d === 'string' ? d : JSON.stringify(d),
          headers: { origin: 'test' },
        })),
      });
      await producer.disconnect();
      const base = Number(sent!.baseOffset);

      // Every valid event alerts as the engine reference says (deterministic alert ids).
      const valid = [...httpEvents, ...direct.filter((d): d is RuleEvent => typeof d !== 'string')];
      const v = validateRule(RULE);
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      const expected = (await runRules([v.rule], valid)).alerts.map((a) => a.alertId).sort();
      expect(expected).toHaveLength(3); // carol, dave, erin
      await alerts.waitUntil((rs) => rs.length >= expected.length, `${expected.length} alerts`, 30_000);

      // The router dead-lettered the two bad records: original value and headers, plus why and
      // where from.
      await deadLetters.waitUntil((rs) => rs.length >= 3, 'the router dead letters', 30_000);
      const byOffset = new Map(
        deadLetters.records
          .filter((d) => d.headers['dlq.offset'] !== undefined)
          .map((d) => [d.headers['dlq.offset'], d]),
      );
      const notJson = byOffset.get(String(base + 1));
      expect(notJson?.value).toBe('not json {');
      expect(notJson?.headers['dlq.reason']).toMatch(/JSON/);
      const noTs = byOffset.get(String(base + 2));
      expect(noTs?.value).toBe(direct[2]);
      expect(noTs?.headers['dlq.reason']).toBe('ts is missing');
      for (const d of [notJson!, noTs!]) {
        expect(d.headers).toMatchObject({
          'dlq.topic': `${app}-events`,
          'dlq.partition': '0',
          origin: 'test',
        });
      }

      // Nothing more comes once the router committed past every record and the evaluator past
      // every routed event: each dead letter and each alert exactly once, and nothing else.
      const events = await TopicRecords.start(`${app}-events`);
      await events.readToEnd(30_000);
      await events.stop();
      await waitForGroupOffsets(`${app}-router`, `${app}-events`, offsetsAfter(events.records), 30_000);
      const routed = await TopicRecords.start(`${app}-routed`);
      await routed.readToEnd(30_000);
      await routed.stop();
      const data = offsetsAfter(routed.records, (d) => d.headers[WATERMARK_HEADERS.watermark] === undefined);
      await waitForGroupOffsets(`${app}-cep`, `${app}-routed`, data, 30_000);
      await svc.close();
      await deadLetters.readToEnd(30_000);
      await alerts.readToEnd(30_000);
      expect(deadLetters.records.map((d) => d.headers['dlq.offset'] ?? 'http')).toEqual([
        'http',
        String(base + 1),
        String(base + 2),
      ]);
      expect(
        alerts
          .values<Alert>()
          .map((a) => a.alertId)
          .sort(),
      ).toEqual(expected);
      // The router's dead letters were written in a transaction: the partition holds a commit
      // marker besides the three records (the HTTP one is not transactional).
      const admin = testKafka('e2e-dlq-admin').admin();
      await admin.connect();
      const [end] = await admin.fetchTopicOffsets(`${app}-dead-letters`);
      await admin.disconnect();
      expect(Number(end!.high)).toBeGreaterThan(3);
    } finally {
      await deadLetters.stop();
      await alerts.stop();
    }
  }, 120_000);
});
