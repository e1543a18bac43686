import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../util/source-imports.js';

const coreDir = resolve(import.meta.dirname, '../../src/core');

describe('layering (DESIGN §2)', () => {
  it('src/core imports only itself and Node built-ins (kafkajs only in connectors/kafka): no cep, rules, service or NestJS', () => {
    const files = sourceFiles(coreDir);
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const file of files) {
      for (const spec of importsOf(file)) {
        const internal = spec.startsWith('.') && resolve(file, '..', spec).startsWith(coreDir);
        // The Kafka client stays behind the port in connectors/kafka (DESIGN §2 puts the Kafka connectors there).
        const kafkaPort =
          spec === 'kafkajs' && relative(coreDir, file).startsWith(join('connectors', 'kafka'));
        if (!internal && !kafkaPort && !spec.startsWith('node:')) {
          offenders.push(`${relative(coreDir, file)} -> ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
