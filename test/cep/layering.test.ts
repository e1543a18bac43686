import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../util/source-imports.js';

const srcDir = resolve(import.meta.dirname, '../../src');
const cepDir = join(srcDir, 'cep');
const coreDir = join(srcDir, 'core');

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
