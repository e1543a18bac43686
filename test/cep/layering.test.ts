import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(import.meta.dirname, '../../src');
const cepDir = join(srcDir, 'cep');
const coreDir = join(srcDir, 'core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2])!);
}

describe('layering (DESIGN §2)', () => {
  it('src/cep imports only itself, src/core and Node built-ins', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(cepDir)) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith('.') ? resolve(file, '..', spec) : '';
        const ok = spec.startsWith('node:') || target.startsWith(cepDir) || target.startsWith(coreDir);
        if (!ok) offenders.push(`${relative(srcDir, file)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
