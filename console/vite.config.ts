import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * codemirror-json-schema renders schema descriptions as Markdown with markdown-it and Shiki (a
 * highlighter of ~10 MB with a WebAssembly engine, started at import). The console shows the
 * descriptions as plain text instead: this replaces the library's markdown module with a few lines.
 */
function plainSchemaDescriptions(): Plugin {
  const id = '\0console-plain-markdown';
  return {
    name: 'console-plain-schema-descriptions',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === '../utils/markdown' && importer?.includes('codemirror-json-schema')) return id;
      return null;
    },
    load(loaded) {
      if (loaded !== id) return null;
      return `const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
export function renderMarkdown(markdown) { return esc(markdown).replace(/\`([^\`]+)\`/g, '<code>$1</code>'); }`;
    },
  };
}

/** The operator console: built into dist/console, served by the service at /console/. */
export default defineConfig({
  root,
  base: '/console/',
  publicDir: false,
  plugins: [plainSchemaDescriptions()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
