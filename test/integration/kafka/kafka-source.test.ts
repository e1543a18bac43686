import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../../src/core/api/stream-execution-environment.js';
import { CollectSink } from '../../../src/core/connectors/collect-sink.js';
import { KafkaMissingTopicsError } from '../../../src/core/connectors/kafka/kafka-errors.js';
import { KafkaSource } from '../../../src/core/connectors/kafka/kafka-source.js';
import { RuntimeExecutionMode } from '../../../src/core/runtime/stream-operator.js';
import { WatermarkStrategy } from '../../../src/core/time/watermark-strategy.js';
import { readTopic, testPort, waitFor } from './kafka-connector-helpers.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

interface Ev {
  id: number;
}

let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = testKafka('kafka-source-it');
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
});

async function produce(topic: string, ids: number[], partitions: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    messages: ids.map((id) => ({ partition: id % partitions, value: JSON.stringify({ id }) })),
  });
  await producer.disconnect();
}

function streamingEnv(): StreamExecutionEnvironment {
  const env = new StreamExecutionEnvironment({ parallelism: 1 });
  env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
  return env;
}

describe('KafkaSource against a real broker', () => {
  it('reads all partitions and resumes from a checkpoint position without duplicates', async () => {
    const topic = uniqueName('src-resume');
    const groupId = uniqueName('src-resume-group');
    await createTopic(admin, topic, 3);
    await produce(
      topic,
      Array.from({ length: 60 }, (_, i) => i),
      3,
    );
    const port = testPort(kafka);

    const env1 = streamingEnv();
    env1.enableCheckpointing(3_600_000);
    const sink1 = new CollectSink<Ev>();
    env1
      .fromSource(
        new KafkaSource<Ev>({ port, topics: [topic], groupId, startingOffsets: 'earliest' }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .uid('kafka-in')
      .sinkTo(sink1);
    const job = env1.execute('resume-1');
    await waitFor(() => sink1.values.length >= 60, 'the first 60 records');
    const cp = await job.triggerCheckpoint();
    // Offsets committed to the group when the checkpoint completed (monitoring).
    await waitFor(async () => {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return t!.partitions.every((p) => p.offset === '20');
    }, 'offsets committed on checkpoint');
    await job.cancel();
    expect(sink1.values.map((v) => v.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 60 }, (_, i) => i),
    );

    await produce(
      topic,
      Array.from({ length: 40 }, (_, i) => 60 + i),
      3,
    );
    const env2 = streamingEnv();
    const sink2 = new CollectSink<Ev>();
    env2
      .fromSource(
        // 'earliest' would re-read everything: only the checkpoint positions prevent duplicates.
        new KafkaSource<Ev>({ port, topics: [topic], groupId, startingOffsets: 'earliest', mode: 'bounded' }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .uid('kafka-in')
      .sinkTo(sink2);
    await env2.execute({ jobName: 'resume-2', restoreFrom: cp });
    expect(sink2.values.map((v) => v.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => 60 + i),
    );
  });

  it('sends poison records to the dead-letter topic and keeps going', async () => {
    const topic = uniqueName('src-poison');
    const dlq = `${topic}-dlq`;
    await createTopic(admin, topic, 2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { partition: 0, value: '{"id":1}' },
        { partition: 0, key: 'bad-1', value: 'not json', headers: { origin: 'test' } },
        { partition: 0, value: '{"id":2}' },
        { partition: 1, value: '{"id":3}' },
        { partition: 1, key: 'bad-2', value: '{"id":' },
        { partition: 1, value: '{"id":4}' },
      ],
    });
    await producer.disconnect();
    const env = streamingEnv();
    const sink = new CollectSink<Ev>();
    env
      .fromSource(
        new KafkaSource<Ev>({
          port: testPort(kafka),
          topics: [topic],
          groupId: uniqueName('g'),
          mode: 'bounded',
          deadLetterTopic: dlq,
        }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .sinkTo(sink);
    await env.execute('poison');
    expect(sink.values.map((v) => v.id).sort()).toEqual([1, 2, 3, 4]);
    const dead = await readTopic(kafka, dlq, 2);
    expect(dead.map((d) => d.key).sort()).toEqual(['bad-1', 'bad-2']);
    const first = dead.find((d) => d.key === 'bad-1')!;
    expect(first.value).toBe('not json');
    expect(first.headers['dlq.reason']).toMatch(/JSON/);
    expect(first.headers['dlq.topic']).toBe(topic);
    expect(first.headers['dlq.offset']).toBe('1');
    expect(first.headers.origin).toBe('test');
  });

  it('reads committed only: records of an aborted transaction never appear', async () => {
    const topic = uniqueName('src-rc');
    await createTopic(admin, topic, 1);
    const producer = kafka.producer({
      transactionalId: uniqueName('rc-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [1, 2, 3].map((id) => ({ value: JSON.stringify({ id: 100 + id }) })),
    });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [1, 2, 3].map((id) => ({ value: JSON.stringify({ id }) })) });
    await committed.commit();
    await producer.disconnect();

    const env = streamingEnv();
    const sink = new CollectSink<Ev>();
    env
      .fromSource(
        new KafkaSource<Ev>({
          port: testPort(kafka),
          topics: [topic],
          groupId: uniqueName('g'),
          mode: 'bounded',
          startingOffsets: 'earliest',
        }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .sinkTo(sink);
    await env.execute('read-committed');
    expect(sink.values.map((v) => v.id)).toEqual([1, 2, 3]);
  });

  it('fails clearly when a user topic is missing', async () => {
    const topic = uniqueName('src-missing');
    const env = streamingEnv();
    env
      .fromSource(
        new KafkaSource<Ev>({
          port: testPort(kafka),
          topics: [topic],
          groupId: uniqueName('g'),
          mode: 'bounded',
        }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .sinkTo(new CollectSink<Ev>());
    const error = await Promise.resolve(env.execute('missing')).then(
      () => undefined,
      (e: unknown) => e,
    );
    const chain: unknown[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
    expect(chain.some((e) => e instanceof KafkaMissingTopicsError)).toBe(true);
    expect(String((chain.find((e) => e instanceof KafkaMissingTopicsError) as Error).message)).toContain(
      topic,
    );
  });
});
