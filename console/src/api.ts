/**
 * The console's access to the service (same origin). The API key, when the service asks for one
 * (401), is asked once and kept in sessionStorage for the tab; every request, the live alert
 * stream included (read with fetch, since EventSource cannot send headers), carries it.
 */

const KEY = 'cep-console-api-key';

export interface RuleError {
  path: string;
  message: string;
}

export interface Rule {
  id: string;
  version: number;
  status: 'active' | 'paused';
  kind: 'pattern' | 'threshold';
  key: string[];
  description?: string;
  [k: string]: unknown;
}

/** One entry of `GET /rules/:id/versions` (newest first). */
export interface RuleVersion {
  version: number;
  at: number;
  status?: 'active' | 'paused';
  deleted?: true;
  rule?: Rule;
}

export interface Alert {
  alertId: string;
  kind: string;
  ruleId: string;
  version: number;
  key: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  message: string;
  stages: Record<string, Record<string, unknown>[]>;
  fields: Record<string, unknown>;
  eventTimeStart: number;
  eventTimeEnd: number;
  value?: number;
  count?: number;
}

export interface ApiError extends Error {
  status: number;
  body: { message?: string; errors?: RuleError[]; currentVersion?: number } | undefined;
}

type KeyListener = (asking: boolean) => void;
const keyListeners = new Set<KeyListener>();
let keyWaiters: ((key: string) => void)[] = [];

/** The key kept for this tab, if any. */
export function apiKey(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

/** Called by the key dialog: keeps `key` for the tab and retries the requests that waited. */
export function provideKey(key: string): void {
  sessionStorage.setItem(KEY, key);
  const waiters = keyWaiters;
  keyWaiters = [];
  for (const l of keyListeners) l(false);
  for (const w of waiters) w(key);
}

/** Forgets the key (the next 401 asks again). */
export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}

/** Subscribes to "the service wants a key" (true) and "a key was given" (false). */
export function onKeyRequest(l: KeyListener): () => void {
  keyListeners.add(l);
  return () => keyListeners.delete(l);
}

function askForKey(): Promise<string> {
  forgetKey();
  for (const l of keyListeners) l(true);
  return new Promise((resolve) => keyWaiters.push(resolve));
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey();
  return key === undefined ? extra : { ...extra, 'x-api-key': key };
}

/** `fetch` with the key; on 401 asks for the key once and retries. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(path, {
      ...init,
      headers: headers((init.headers as Record<string, string> | undefined) ?? {}),
    });
    if (res.status !== 401) return res;
    await askForKey();
  }
}

/** A JSON call: the parsed body, or throws an {@link ApiError} with the status and the body. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const b = parsed as ApiError['body'];
    const e = new Error(b?.message ?? `${method} ${path}: ${res.status}`) as ApiError;
    e.status = res.status;
    e.body = b;
    throw e;
  }
  return parsed as T;
}

/** The Prometheus text of /metrics. */
export async function metricsText(): Promise<string> {
  const res = await request('/metrics');
  return res.ok ? res.text() : '';
}

/** One sample of a Prometheus metric: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition into name -> samples. */
export function parseMetrics(text: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const list = out.get(m[1]!) ?? [];
    list.push({ labels, value: Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

/** The sum of a metric's samples (optionally those with `label` = `value`). */
export function metricSum(m: Map<string, Sample[]>, name: string, label?: string, value?: string): number {
  let sum = 0;
  for (const s of m.get(name) ?? []) if (label === undefined || s.labels[label] === value) sum += s.value;
  return sum;
}

/** A frame of the alert stream. */
export type StreamFrame =
  | { kind: 'alert'; id: string; alert: Alert }
  | { kind: 'gap' | 'resume'; id?: string; data: string }
  | { kind: 'open' }
  | { kind: 'closed'; error?: string };

/**
 * Follows GET /alerts/stream with fetch (so the key header can be sent), reconnecting after a
 * drop with `Last-Event-ID` set to the last id seen (`event: resume` gives the id to resume
 * from). Returns a function that stops it.
 */
export function followAlerts(onFrame: (f: StreamFrame) => void): () => void {
  let stopped = false;
  let controller: AbortController | undefined;
  let lastId: string | undefined;
  const run = async (): Promise<void> => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await request('/alerts/stream', {
          signal: controller.signal,
          headers: {
            accept: 'text/event-stream',
            ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
          },
        });
        if (!res.ok || res.body === null) throw new Error(`stream answered ${res.status}`);
        onFrame({ kind: 'open' });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replaceAll('\r\n', '\n');
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            let id: string | undefined;
            const data: string[] = [];
            for (const line of frame.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('id:')) id = line.slice(3).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            }
            if (event === 'alert' && data.length > 0) {
              if (id !== undefined) lastId = id;
              onFrame({ kind: 'alert', id: id ?? '', alert: JSON.parse(data.join('\n')) as Alert });
            } else if (event === 'resume' || event === 'gap') {
              if (event === 'resume' && id !== undefined) lastId = id;
              onFrame({ kind: event, id, data: data.join('\n') });
            }
            end = buffer.indexOf('\n\n');
          }
        }
        onFrame({ kind: 'closed' });
      } catch (e) {
        if (stopped) return;
        onFrame({ kind: 'closed', error: e instanceof Error ? e.message : String(e) });
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
