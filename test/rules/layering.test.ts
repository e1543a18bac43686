import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles } from '../util/source-imports.js';

const srcDir = resolve(import.meta.dirname, '../../src');
const rulesDir = join(srcDir, 'rules');

describe('layering (DESIGN §2)', () => {
  it('src/rules imports only itself, src/cep, src/core, Node built-ins, ajv and cel-js', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(rulesDir)) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith('.') ? resolve(file, '..', spec) : '';
        const ok =
          spec.startsWith('node:') ||
          spec.startsWith('ajv/') ||
          spec === '@marcbachmann/cel-js' ||
          [rulesDir, join(srcDir, 'cep'), join(srcDir, 'core')].some((d) => target.startsWith(d));
        if (!ok) offenders.push(`${relative(srcDir, file)} -> ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('nothing in src/core or src/cep imports src/rules', () => {
    const offenders: string[] = [];
    for (const dir of ['core', 'cep']) {
      for (const file of sourceFiles(join(srcDir, dir))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.') && resolve(file, '..', spec).startsWith(rulesDir))
            offenders.push(`${relative(srcDir, file)} -> ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
