import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `.ts` files under `dir`, recursively (for the layering tests).
 *
 * @example
 * ```ts
 * sourceFiles('src/cep').length;
 * ```
 */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * The module specifiers a file imports or re-exports (static and dynamic imports).
 *
 * @example
 * ```ts
 * importsOf('src/cep/nfa/nfa.ts'); // ['../pattern/after-match-skip-strategy.js', …]
 * ```
 */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2])!);
}
