import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const coreDir = resolve(import.meta.dirname, '../../src/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    specs.push((m[1] ?? m[2])!);
  }
  return specs;
}

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
