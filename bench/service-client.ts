/**
 * The service under benchmark as a child process (`node dist/src/main.js`, temp DATA_DIR, HOST
 * 127.0.0.1, PORT 0; embedded mode unless the options' env sets KAFKA_BROKERS), plus the HTTP helpers of the benchmark: JSON calls, the
 * alerts SSE stream, process memory, and a summary of a `--cpu-prof` profile.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** `dist/src/main.js`, next to this compiled file's `dist/bench/`. */
const MAIN = resolve(import.meta.dirname, '../src/main.js');

/** A running service child. */
export interface ServiceChild {
  readonly url: string;
  readonly pid: number;
  readonly dataDir: string;
  /**
   * Resident set size now and at its peak (bytes): /proc/<pid>/status, VmRSS sampled every 250 ms
   * from the start and VmHWM; /metrics (no peak) where /proc is unavailable.
   */
  memory(): Promise<{ rss: number; peakRss: number | undefined }>;
  /** What the child printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, waits for the exit (final checkpoint), removes the data dir; returns the exit code. */
  stop(): Promise<number | null>;
}

/** Options of {@link startServiceChild}. */
export interface ChildOptions {
  /** Extra environment (e.g. CHECKPOINT_INTERVAL_MS). */
  readonly env?: Record<string, string>;
  /** Directory for `--cpu-prof` output; no profiling when unset. */
  readonly cpuProfDir?: string;
}

/** Boots `node dist/src/main.js` and waits for its "listening on" line. */
export async function startServiceChild(options: ChildOptions = {}): Promise<ServiceChild> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cep-bench-service-'));
  const args = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`];
  // Kafka mode only when asked for: not because the benchmark's own environment names a broker.
  const { KAFKA_BROKERS: _fromEnvironment, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, [...args, MAIN], {
    cwd: dirname(dirname(dirname(MAIN))),
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOAD_EXAMPLE_RULES: 'false',
      // 'log': the port (PORT 0) is only in the "listening on" line, logged at that level.
      LOG_LEVEL: 'log',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the service running (and eating a core) when the benchmark dies.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  // The last 64 KiB of the child's output (a log line per rule change adds up with 1000 rules).
  let output = '';
  const keep = (text: string): void => {
    output = (output + text).slice(-65_536);
  };
  let listening = false;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer): void => {
      keep(chunk.toString());
      if (process.env.BENCH_SERVICE_LOG) appendFileSync(process.env.BENCH_SERVICE_LOG, chunk);
      if (listening) return;
      const m = /listening on (http:\/\/[^\s"]+)/.exec(output);
      listening = m !== null;
      if (m !== null) resolveUrl(m[1]!.replace('[::1]', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      keep(c.toString());
      if (process.env.BENCH_SERVICE_LOG) appendFileSync(process.env.BENCH_SERVICE_LOG, c);
    });
    void exited.then((code) => reject(new Error(`service exited (${code}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`service did not start in 30 s:\n${output}`)), 30_000).unref();
  });
  const pid = child.pid!;
  // VmHWM is the kernel's own peak; the sampled VmRSS is the fallback where a kernel lacks it.
  let sampledPeak = 0;
  const sample = (): void => {
    const rss = procStatus(pid)?.VmRSS;
    if (rss !== undefined && rss > sampledPeak) sampledPeak = rss;
  };
  const sampler = setInterval(sample, 250).unref();
  void exited.then(() => clearInterval(sampler));
  return {
    url,
    pid,
    dataDir,
    output: () => output,
    async memory() {
      sample();
      const now = procStatus(pid);
      if (now?.VmRSS !== undefined) return { rss: now.VmRSS, peakRss: Math.max(now.VmHWM ?? 0, sampledPeak) };
      // not Linux: ask the service (no peak then)
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = /^process_resident_memory_bytes (\d+)/m.exec(text);
      return { rss: m === null ? Number.NaN : Number(m[1]), peakRss: undefined };
    },
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      process.off('exit', killOnExit);
      rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0) process.stderr.write(`service exited with ${code}:\n${output.slice(-2000)}\n`);
      return code;
    },
  };
}

/** VmRSS and VmHWM (bytes) of a process from /proc, or undefined (not Linux, or it exited). */
function procStatus(pid: number): { VmRSS?: number; VmHWM?: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return m === null ? undefined : Number(m[1]) * 1024;
  };
  return { VmRSS: kb('VmRSS'), VmHWM: kb('VmHWM') };
}

/** DELETEs; throws unless the status is `expect`. */
export async function deleteJson(url: string, expect: number): Promise<void> {
  const res = await fetch(url, { method: 'DELETE' });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`DELETE ${url}: ${res.status} ${text.slice(0, 500)}`);
}

/** POSTs JSON; throws unless the status is `expect`. Returns the parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  expect: number,
  headers: Record<string, string> = {},
): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 500)}`);
  return text.length > 0 ? JSON.parse(text) : undefined;
}

/** A subscription to `GET /alerts/stream`: calls `onAlert` with each alert and the time it was read. */
export interface AlertStream {
  close(): void;
}

/**
 * Opens the SSE stream and resolves once the response headers arrived (the subscription is live).
 * Like a browser's EventSource it keeps the last `id:` and, when the service ends the stream (a
 * reader too far behind gets `event: resume` and the end of the stream), reconnects with
 * `Last-Event-ID`, so no alert is missed.
 */
export async function openAlertStream(
  url: string,
  onAlert: (alert: any, at: number) => void,
): Promise<AlertStream> {
  const abort = new AbortController();
  let lastId: string | undefined;
  const connect = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    const res = await fetch(`${url}/alerts/stream`, { headers, signal: abort.signal });
    if (res.status !== 200 || res.body === null) throw new Error(`alerts stream: ${res.status}`);
    return res.body.getReader();
  };
  const first = await connect();
  void (async () => {
    let reader = first;
    for (;;) {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const at = performance.now();
          buffer += decoder.decode(value, { stream: true });
          let start = 0;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n', start)) {
            const block = buffer.slice(start, end);
            start = end + 2;
            let type = 'message';
            let data = '';
            let id: string | undefined;
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trimStart();
              else if (line.startsWith('id:')) id = line.slice(3).trim();
            }
            if (id !== undefined && id.length > 0) lastId = id;
            if (type === 'alert' && data.length > 0) onAlert(JSON.parse(data), at);
          }
          buffer = buffer.slice(start);
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        process.stderr.write(`alerts stream failed: ${String(e)}; reconnecting\n`);
      }
      if (abort.signal.aborted) return;
      process.stderr.write(`alerts stream ended by the service; resuming after id ${lastId ?? '(none)'}\n`);
      try {
        reader = await connect();
      } catch (e) {
        if (abort.signal.aborted) return;
        process.stderr.write(`alerts stream: reconnect failed: ${String(e)}\n`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  return { close: () => abort.abort() };
}

/**
 * Self time of the `.cpuprofile` files in `dir`, biggest first (top `n`): per function, or per
 * area (`by: 'area'`: the engine's directories such as `src/cep` or `src/core/checkpoint`, each
 * npm package, node's internals, native code, idle and GC), which says where the time goes
 * when no single function stands out.
 */
export function summarizeCpuProfiles(
  dir: string,
  n = 15,
  by: 'function' | 'area' = 'function',
): { fn: string; ms: number; pct: number }[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: {
        id: number;
        callFrame: { functionName: string; url: string; lineNumber: number };
      }[];
      samples: number[];
      timeDeltas: number[];
    };
    const names = new Map<number, string>();
    for (const node of p.nodes) {
      const cf = node.callFrame;
      const url = cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/');
      if (by === 'area') names.set(node.id, areaOf(cf.functionName, cf.url));
      else
        names.set(
          node.id,
          `${cf.functionName || '(anonymous)'}${url === '' ? '' : ` ${url}:${cf.lineNumber + 1}`}`,
        );
    }
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      total += dt;
      const name = names.get(id)!;
      self.set(name, (self.get(name) ?? 0) + dt);
    });
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, ms]) => ({ fn, ms, pct: (100 * ms) / total }));
}

/** The area of a profile frame, from its function name and script URL (see {@link summarizeCpuProfiles}). */
function areaOf(fn: string, url: string): string {
  if (url === '') return fn.startsWith('(') ? fn : 'native (JSON, fs, crypto, ...)';
  // The first node_modules: a package's own dist/ is the package, not the service's dist/.
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return pkg[1]!;
  const src = /\/dist\/src\/(core\/[^/]+|[^/]+)\//.exec(url);
  if (src !== null) return `src/${src[1]}`;
  return url.startsWith('node:') ? 'node internals' : url;
}

/** The engine's event-time watermark as `/metrics` reports it (`cep_watermark_seconds`), polled. */
export interface WatermarkWatch {
  /** The highest watermark read so far (epoch ms; 0 before the first). */
  readonly ms: number;
  /** When it last moved (performance.now()), or when the watch started. */
  readonly advancedAt: number;
  stop(): void;
}

/**
 * Polls the service's watermark gauge every `intervalMs`: a drain that sees event time move knows
 * the service is still working off its backlog, even when no alert arrived for a while.
 */
export function watchWatermark(url: string, intervalMs = 1000): WatermarkWatch {
  const w = { ms: 0, advancedAt: performance.now() };
  const poll = async (): Promise<void> => {
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = /^cep_watermark_seconds (\S+)/m.exec(text);
      const ms = m === null ? 0 : Number(m[1]) * 1000;
      if (ms > w.ms) Object.assign(w, { ms, advancedAt: performance.now() });
    } catch {
      // the service is busy or stopping: the next poll tells
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  return {
    get ms() {
      return w.ms;
    },
    get advancedAt() {
      return w.advancedAt;
    },
    stop: () => clearInterval(timer),
  };
}
