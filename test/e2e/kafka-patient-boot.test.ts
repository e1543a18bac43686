import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  brokerLogTail,
  freePorts,
  type KafkaBrokerState,
  startKafkaBroker,
  stopKafkaBroker,
} from '../integration/kafka/kafka-broker.js';
import {
  call,
  eventually,
  NEW_DEVICE_PAYOUT_RULE,
  type RunningService,
  removeServiceDirs,
  startService,
} from '../service/service-harness.js';
import { uniqueApp } from './kafka-service.js';

// A patient boot: the service started before its broker (as containers of one compose file or
// pod start in any order) waits for it, retrying with backoff, instead of exiting; and gives up
// with the reason once KAFKA_BOOT_TIMEOUT_MS has passed. The broker here is a fresh one of its
// own (not the run's shared broker), started on ports the service was told about beforehand.

let broker: KafkaBrokerState | undefined;
let svc: RunningService | undefined;

afterAll(async () => {
  await svc?.close();
  if (broker !== undefined) await stopKafkaBroker(broker);
  removeServiceDirs();
}, 60_000);

const RULE = NEW_DEVICE_PAYOUT_RULE;

function env(brokers: string, app: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers,
    KAFKA_APP_ID: app,
    KAFKA_EVENTS_TOPIC: `${app}-events`,
    KAFKA_ALERTS_TOPIC: `${app}-alerts`,
    KAFKA_TOPIC_PARTITIONS: '2',
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    CHECKPOINT_INTERVAL_MS: '100',
    IDLE_FLUSH_MS: '200',
    LOAD_EXAMPLE_RULES: 'false',
    ...extra,
  };
}

describe('Kafka mode boot', () => {
  it('waits for a broker that starts after the service, then serves', async () => {
    const [port, controllerPort] = (await freePorts(2)) as [number, number];
    const app = uniqueApp('patient-boot');
    const booting = startService(
      env(`127.0.0.1:${port}`, app, { KAFKA_BOOT_TIMEOUT_MS: '150000', LOG_LEVEL: 'warn' }),
    );
    let outcome: 'pending' | 'up' | Error = 'pending';
    booting.then(
      () => {
        outcome = 'up';
      },
      (e: Error) => {
        outcome = e;
      },
    );
    await sleep(12_000);
    expect(outcome).toBe('pending'); // nothing listens on the port yet: still retrying

    broker = await startKafkaBroker({ ports: { port, controllerPort } });
    onTestFailed(async () => {
      if (broker !== undefined) console.error(await brokerLogTail(broker));
    });
    svc = await booting;
    const url = svc.url;
    await eventually(async () => (await call(`${url}/health/ready`, 'GET')).status === 200, 60_000);

    expect((await call(`${url}/rules`, 'POST', RULE)).status).toBe(201);
    const at = (minutes: number) => new Date(Date.now() - 10 * 60_000 + minutes * 60_000).toISOString();
    const r = await call(`${url}/events`, 'POST', [
      { type: 'login', user: 'ann', newDevice: true, ts: at(0) },
      { type: 'payout', user: 'ann', amount: 900, ts: at(3) },
    ]);
    expect(r.body).toMatchObject({ accepted: 2, deadLettered: 0 });
    const alerts = await eventually(async () => {
      const a = (await call(`${url}/alerts?ruleId=new-device-payout`, 'GET')).body as unknown[];
      return a.length > 0 && a;
    }, 30_000);
    expect(alerts).toHaveLength(1);
  }, 180_000);

  it('gives up after KAFKA_BOOT_TIMEOUT_MS, naming the step and the last error', async () => {
    const [port] = (await freePorts(1)) as [number];
    const started = Date.now();
    await expect(
      startService(env(`127.0.0.1:${port}`, uniqueApp('impatient-boot'), { KAFKA_BOOT_TIMEOUT_MS: '2000' })),
    ).rejects.toThrow(
      new RegExp(
        `^Kafka not ready after \\d+ ms \\(KAFKA_BOOT_TIMEOUT_MS\\), connecting to 127\\.0\\.0\\.1:${port}: .*(ECONNREFUSED|Connection error)`,
      ),
    );
    // kafkajs' own retries of one attempt may run past the deadline, but not by much.
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
