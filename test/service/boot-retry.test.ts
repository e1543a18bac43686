import { describe, expect, it } from 'vitest';
import { KafkaMissingTopicsError, KafkaProducerFencedError } from '../../src/core/connectors/kafka/index.js';
import {
  type BootClock,
  bootRetry,
  isRetriableBootError,
  KafkaBootTimeoutError,
} from '../../src/service/kafka/boot-retry.js';

const protocolError = (type: string, retriable = true) =>
  Object.assign(new Error(`kafka says ${type}`), { name: 'KafkaJSProtocolError', type, retriable });

describe('isRetriableBootError', () => {
  it('accepts what a starting cluster answers', () => {
    for (const type of [
      'UNKNOWN_TOPIC_OR_PARTITION',
      'COORDINATOR_LOAD_IN_PROGRESS',
      'COORDINATOR_NOT_AVAILABLE',
      'NOT_COORDINATOR',
      'LEADER_NOT_AVAILABLE',
    ]) {
      expect(isRetriableBootError(protocolError(type)), type).toBe(true);
    }
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    expect(isRetriableBootError(refused)).toBe(true);
    const exhausted = Object.assign(new Error(refused.message), {
      name: 'KafkaJSNonRetriableError',
      originalError: refused,
    });
    expect(isRetriableBootError(exhausted)).toBe(true);
    expect(isRetriableBootError(Object.assign(new Error('x'), { name: 'KafkaJSBrokerNotFound' }))).toBe(true);
  });

  it('refuses configuration problems and fencing', () => {
    expect(isRetriableBootError(new KafkaMissingTopicsError(['events']))).toBe(false);
    expect(isRetriableBootError(new Error('the rules topic r must have exactly one partition'))).toBe(false);
    expect(isRetriableBootError(protocolError('TOPIC_AUTHORIZATION_FAILED', false))).toBe(false);
    expect(isRetriableBootError(new KafkaProducerFencedError('t'))).toBe(false);
  });
});

describe('bootRetry', () => {
  const clock = (deadlineIn: number, log: string[], slept: number[]): BootClock => ({
    startedAt: Date.now(),
    deadline: Date.now() + deadlineIn,
    warn: (m) => log.push(m),
    sleep: async (ms) => {
      slept.push(ms);
    },
  });

  it('retries retriable failures with growing delays, logging each, until the step succeeds', async () => {
    const log: string[] = [];
    const slept: number[] = [];
    let calls = 0;
    const v = await bootRetry('joining', clock(60_000, log, slept), async (attempt) => {
      calls++;
      if (attempt < 4) throw protocolError('COORDINATOR_LOAD_IN_PROGRESS');
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(calls).toBe(5);
    expect(log).toHaveLength(4);
    expect(log[0]).toMatch(
      /^joining: KafkaJSProtocolError: kafka says COORDINATOR_LOAD_IN_PROGRESS; retry 1 in \d+ ms/,
    );
    // 250 ms doubling (with jitter between half and the whole), capped at 5 s.
    expect(slept[0]).toBeGreaterThanOrEqual(125);
    expect(slept[0]).toBeLessThanOrEqual(250);
    expect(slept[3]).toBeGreaterThanOrEqual(1000);
    expect(slept[3]).toBeLessThanOrEqual(2000);
  });

  it('throws other errors at once, and a retriable one at the deadline with the reason', async () => {
    const log: string[] = [];
    await expect(
      bootRetry('checking', clock(60_000, log, []), async () => {
        throw new KafkaMissingTopicsError(['events']);
      }),
    ).rejects.toBeInstanceOf(KafkaMissingTopicsError);
    expect(log).toEqual([]);
    const e = await bootRetry('connecting to 127.0.0.1:1', clock(-1, log, []), async () => {
      throw protocolError('LEADER_NOT_AVAILABLE');
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KafkaBootTimeoutError);
    expect((e as Error).message).toMatch(
      /^Kafka not ready after \d+ ms \(KAFKA_BOOT_TIMEOUT_MS\), connecting to 127\.0\.0\.1:1: KafkaJSProtocolError: kafka says LEADER_NOT_AVAILABLE$/,
    );
  });
});
