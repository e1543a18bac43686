import { describe, expect, it } from 'vitest';
import type { KafkaCommittable } from '../../../../src/core/connectors/kafka/kafka-committable.js';
import { KafkaCommitter } from '../../../../src/core/connectors/kafka/kafka-committer.js';
import { KafkaProducerFencedError } from '../../../../src/core/connectors/kafka/kafka-errors.js';
import type {
  KafkaAdminPort,
  KafkaOutgoingMessage,
  KafkaPartitionOffset,
  KafkaPort,
  KafkaProducerPort,
} from '../../../../src/core/connectors/kafka/kafka-port.js';

/** A fake broker: committed transactions and a commit-marker table; can fail steps on demand. */
class FakePort implements KafkaPort {
  committed: string[] = [];
  markers = new Map<string, KafkaPartitionOffset>();
  /** Errors to throw from the next `commit` calls, in order. */
  commitFailures: Error[] = [];
  begins = 0;

  admin(): KafkaAdminPort {
    return {
      connect: async () => {},
      disconnect: async () => {},
      listTopics: async () => [],
      createTopics: async () => {},
      describeTopics: async () => new Map(),
      fetchEndOffsets: async () => [],
      fetchEarliestOffsets: async () => [],
      fetchOffsetsForTimestamp: async () => [],
      fetchCommittedOffsets: async (groupId) => {
        const m = this.markers.get(groupId);
        return m === undefined ? [] : [m];
      },
      deleteRecords: async () => {},
    };
  }

  producer(): KafkaProducerPort {
    return {
      connect: async () => {},
      disconnect: async () => {},
      send: async () => {},
      beginTransaction: async () => {
        this.begins++;
        const sent: string[] = [];
        let marker: [string, KafkaPartitionOffset] | undefined;
        return {
          send: async (_topic: string, messages: readonly KafkaOutgoingMessage[]) => {
            for (const m of messages) sent.push(String(m.value));
          },
          sendOffsets: async (groupId: string, _topic: string, offsets: readonly KafkaPartitionOffset[]) => {
            marker = [groupId, offsets[0]!];
          },
          commit: async () => {
            const failure = this.commitFailures.shift();
            if (failure !== undefined) throw failure;
            this.committed.push(...sent);
            if (marker) this.markers.set(marker[0], marker[1]);
          },
          abort: async () => {},
        };
      },
    };
  }

  consumer(): never {
    throw new Error('not used');
  }
}

const typed = (type: string): Error => Object.assign(new Error(type), { type });

function committable(checkpointId: number, runId = 'run-1', values = ['a', 'b']): KafkaCommittable {
  return {
    guarantee: 'exactly-once',
    topic: 'out',
    subtask: 0,
    transactionalId: 'tx-0',
    runId,
    checkpointId,
    messages: values.map((value) => ({ key: null, value })),
  };
}

function committer(port: FakePort, runId: string | undefined = 'run-1'): KafkaCommitter {
  return new KafkaCommitter({
    port,
    subtask: 0,
    parallelism: 1,
    currentRunId: () => runId,
    transactionTimeoutMs: undefined,
    chunkSize: 100,
    retry: { sleep: async () => {} },
  });
}

describe('KafkaCommitter', () => {
  it('retries CONCURRENT_TRANSACTIONS with backoff and commits once', async () => {
    const port = new FakePort();
    port.commitFailures = [typed('CONCURRENT_TRANSACTIONS'), typed('CONCURRENT_TRANSACTIONS')];
    await committer(port).commit([committable(1)]);
    expect(port.committed).toEqual(['a', 'b']);
    expect(port.begins).toBe(3);
  });

  it('does not write again a transaction whose commit marker shows it committed (ambiguous failure)', async () => {
    const port = new FakePort();
    // The commit reaches the broker but the client sees a timeout.
    const realProducer = port.producer.bind(port);
    let first = true;
    port.producer = () => {
      const p = realProducer();
      return {
        ...p,
        beginTransaction: async () => {
          const t = await p.beginTransaction();
          return {
            ...t,
            commit: async () => {
              await t.commit();
              if (first) {
                first = false;
                throw typed('REQUEST_TIMED_OUT');
              }
            },
          };
        },
      };
    };
    await committer(port).commit([committable(1)]);
    expect(port.committed).toEqual(['a', 'b']);
  });

  it('recovers restored committables: skips committed ones, re-sends the others', async () => {
    const port = new FakePort();
    port.markers.set('tx-0.commits', { partition: 0, offset: 4, metadata: 'old-run' });
    await committer(port, undefined).commit([
      committable(4, 'old-run', ['x']),
      committable(5, 'old-run', ['y']),
    ]);
    expect(port.committed).toEqual(['y']);
  });

  it('surfaces fencing as KafkaProducerFencedError without retrying', async () => {
    const port = new FakePort();
    port.commitFailures = [new KafkaProducerFencedError('tx-0')];
    await expect(committer(port).commit([committable(1)])).rejects.toBeInstanceOf(KafkaProducerFencedError);
    expect(port.begins).toBe(1);
  });
});
