import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../../src/core/api/stream-execution-environment.js';
import { KafkaSink } from '../../../src/core/connectors/kafka/kafka-sink.js';
import { KafkaSource } from '../../../src/core/connectors/kafka/kafka-source.js';
import { RuntimeExecutionMode } from '../../../src/core/runtime/stream-operator.js';
import { WatermarkStrategy } from '../../../src/core/time/watermark-strategy.js';
import { readTopic, testPort } from './kafka-connector-helpers.js';
import { createTopic, testKafka, uniqueName } from './kafka-test-client.js';

let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = testKafka('kafka-sink-it');
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
});

describe('KafkaSink against a real broker', () => {
  it('bounded Kafka -> map -> exactly-once KafkaSink: a read_committed verifier sees each output once', async () => {
    const input = uniqueName('eo-in');
    const output = uniqueName('eo-out');
    await createTopic(admin, input, 2);
    await createTopic(admin, output, 2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: Array.from({ length: 300 }, (_, i) => ({
        partition: i % 2,
        value: JSON.stringify({ id: i }),
      })),
    });
    await producer.disconnect();

    const port = testPort(kafka);
    const env = new StreamExecutionEnvironment({ parallelism: 2 });
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.enableCheckpointing(50);
    env
      .fromSource(
        new KafkaSource<{ id: number }>({
          port,
          topics: [input],
          groupId: uniqueName('eo-g'),
          mode: 'bounded',
          maxRecordsPerPoll: 10,
        }),
        WatermarkStrategy.noWatermarks(),
        'in',
      )
      .map((e) => ({ id: e.id, doubled: e.id * 2 }))
      .sinkTo(
        new KafkaSink<{ id: number; doubled: number }>({
          port,
          topic: output,
          deliveryGuarantee: 'exactly-once',
          transactionalIdPrefix: uniqueName('eo-tx'),
          serializer: (v) => ({ key: String(v.id), value: JSON.stringify(v) }),
        }),
      );
    await env.execute('eo-job');
    const got = await readTopic(kafka, output, 300, 1000);
    const ids = got.map((r) => (JSON.parse(r.value!) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});
