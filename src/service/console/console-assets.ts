import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { projectRoot } from '../openapi/openapi-document.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Headers of every console answer: the page loads nothing but its own assets and talks only to
 * this origin (CodeMirror and uPlot set inline styles, hence `'unsafe-inline'` for styles).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The operator console's built assets (`npm run build` puts them in `dist/console`, from the
 * sources in `console/`), answered for `/console` and `/console/*`: files by path (hashed
 * `assets/*` cached for a year, `index.html` revalidated), `index.html` for any other path under
 * `/console/` (the console routes by `#` hash, so that is for bookmarks of old paths), 404 for an
 * asset that does not exist. When the console was not built: 503 with what to run.
 *
 * @example
 * ```ts
 * const assets = new ConsoleAssets();
 * assets.serve(req, res); // true when it answered
 * ```
 */
export class ConsoleAssets {
  readonly dir: string;
  private readonly cache = new Map<string, Buffer>();

  constructor(dir = join(projectRoot(), 'dist', 'console')) {
    this.dir = normalize(dir);
  }

  /** Whether the console was built. */
  get built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  /** Answers `req` (a GET or HEAD under /console) and returns true; false for another method. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const path = decodePath((req.url ?? '/').split('?')[0]!);
    if (path === '/console') {
      res.writeHead(301, { location: '/console/', ...SECURITY_HEADERS }).end();
      return true;
    }
    if (!this.built) {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
        .end('The console is not built: run `npm run build` (or `npm start`, which builds first).\n');
      return true;
    }
    const rel = path === undefined ? undefined : path.slice('/console/'.length);
    const file = rel === undefined ? undefined : this.resolve(rel === '' ? 'index.html' : rel);
    if (file === undefined) {
      // Asset-like paths (with an extension) that do not exist are 404; others get the page.
      if (rel === undefined || extname(rel) !== '') {
        res
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
          .end('not found\n');
        return true;
      }
      return this.send(res, method, join(this.dir, 'index.html'));
    }
    return this.send(res, method, file);
  }

  /** The file for `rel` inside the assets dir, or undefined (missing, a directory, outside it). */
  private resolve(rel: string): string | undefined {
    const file = normalize(join(this.dir, rel));
    if (!file.startsWith(this.dir + sep)) return undefined;
    try {
      return statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }

  private send(res: ServerResponse, method: string, file: string): true {
    const body = this.read(file);
    const immutable = file.startsWith(join(this.dir, 'assets') + sep);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  }

  private read(file: string): Buffer {
    // index.html is read each time (a rebuild changes it); hashed assets never change.
    if (file.endsWith('index.html')) return readFileSync(file);
    let body = this.cache.get(file);
    if (body === undefined) {
      body = readFileSync(file);
      this.cache.set(file, body);
    }
    return body;
  }
}

/** `path` percent-decoded, or undefined when malformed or holding a NUL or a backslash. */
function decodePath(path: string): string | undefined {
  try {
    const p = decodeURIComponent(path);
    return /[\0\\]/.test(p) ? undefined : p;
  } catch {
    return undefined;
  }
}
