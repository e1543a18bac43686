import type { Subscription } from 'rxjs';
import type { AlertEntry } from './alert-feed.js';
import type { AlertHub } from './alert-hub.js';

/**
 * Characters of events that may wait for a client that reads slower than alerts come (beyond
 * what the socket buffers hold) before its stream is ended with a `resume` event.
 */
export const MAX_PENDING_CHARS = 4 * 1024 * 1024;

/** Alerts taken from the hub at a time while a resuming client catches up. */
const CATCH_UP_BATCH = 500;

/** A comment line every this many ms keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/** What {@link AlertStream} needs of the HTTP response (a Node `ServerResponse`). */
export interface SseResponse {
  write(chunk: string): boolean;
  end(): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
}

/**
 * Options of {@link AlertStream}.
 *
 * @example
 * ```ts
 * const o: AlertStreamOptions = { since: '41', ruleId: 'card-testing' };
 * ```
 */
export interface AlertStreamOptions {
  /** Resume after this position (`Last-Event-ID` or `?since=`): send what came after it first. */
  readonly since?: string;
  /** Only alerts of this rule. */
  readonly ruleId?: string;
  /** See {@link MAX_PENDING_CHARS}. */
  readonly maxPendingChars?: number;
  readonly heartbeatMs?: number;
}

/**
 * One client of `GET /alerts/stream`, as Server-Sent Events:
 *
 * - every alert is an `event: alert` whose `id:` is its position in the alerts topic (local log
 *   offset, or Kafka `partition-offset`), so a client that reconnects with `Last-Event-ID` (or
 *   `?since=`) first gets the alerts it missed, then the live ones: none lost, none twice;
 * - a position the service no longer holds (older than the hub's ring in Kafka mode; unknown)
 *   gets an `event: gap` first, then every alert still held, then the live ones;
 * - writes respect the socket's backpressure (`write()` false, then `drain`); a client that falls
 *   more than {@link MAX_PENDING_CHARS} behind gets a final `event: resume` whose `id:` (and
 *   `data.lastEventId`) is the last alert it was sent, and the stream ends: reconnecting with that
 *   `Last-Event-ID` resumes where it stopped.
 *
 * @example
 * ```ts
 * new AlertStream(hub, res, { since: req.headers['last-event-id'] }).start();
 * ```
 */
export class AlertStream {
  private readonly pending: { frame: string; id: string | undefined }[] = [];
  private pendingChars = 0;
  private waitingForDrain = false;
  /** Runs once the pending frames are written (a paced catch-up continues then). */
  private onFlushed: (() => void) | undefined;
  /** The position of the last alert handed to the socket: where a reconnect resumes. */
  private lastWrittenId: string | undefined;
  /** The last position looked at (sent or filtered out) while catching up. */
  private cursor: string | undefined;
  private live: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxPendingChars: number;

  constructor(
    private readonly hub: AlertHub,
    private readonly res: SseResponse,
    private readonly options: AlertStreamOptions = {},
  ) {
    this.maxPendingChars = options.maxPendingChars ?? MAX_PENDING_CHARS;
  }

  /** Starts sending (the response's headers are written already). @example `stream.start()` */
  start(): void {
    this.res.once('close', () => this.close());
    this.heartbeat = setInterval(
      () => this.enqueue(': keep-alive\n\n', undefined),
      this.options.heartbeatMs ?? HEARTBEAT_MS,
    );
    this.heartbeat.unref();
    this.enqueue('retry: 2000\n\n', undefined);
    if (this.options.since === undefined) {
      this.lastWrittenId = this.hub.newestId();
      this.goLive();
    } else {
      this.cursor = this.options.since;
      this.lastWrittenId = this.options.since;
      this.catchUp();
    }
  }

  /** Sends what came after `cursor`, a batch at a time as the client reads, then goes live. */
  private catchUp(): void {
    if (this.closed) return;
    const { entries, gap } = this.hub.entriesAfter(this.cursor!, CATCH_UP_BATCH);
    if (gap) {
      const oldest = entries[0]?.id;
      this.enqueue(
        `event: gap\ndata: ${JSON.stringify({
          lastEventId: this.cursor,
          message:
            oldest === undefined
              ? `alerts after ${this.cursor} are not retained (unknown or expired position); live alerts follow`
              : `alerts after ${this.cursor} are not all retained (unknown or expired position); resending from the oldest retained, ${oldest}`,
        })}\n\n`,
        undefined,
      );
    }
    if (entries.length === 0) {
      // Nothing newer than the cursor: later alerts come through the live subscription, made in
      // this same turn, so none falls between the two.
      this.goLive();
      return;
    }
    for (const e of entries) this.send(e);
    if (this.waitingForDrain) this.onFlushed = () => this.catchUp();
    else setImmediate(() => this.catchUp());
  }

  private goLive(): void {
    if (this.closed) return;
    this.live = this.hub.liveEntries().subscribe({
      next: (e) => {
        this.send(e);
        if (this.pendingChars > this.maxPendingChars) this.tooFarBehind();
      },
      complete: () => this.finish(),
    });
  }

  private send(e: AlertEntry): void {
    this.cursor = e.id;
    if (this.options.ruleId !== undefined && e.alert.ruleId !== this.options.ruleId) return;
    this.enqueue(`id: ${e.id}\nevent: alert\ndata: ${JSON.stringify(e.alert)}\n\n`, e.id);
  }

  private enqueue(frame: string, id: string | undefined): void {
    if (this.closed) return;
    if (this.waitingForDrain || this.pending.length > 0) {
      this.pending.push({ frame, id });
      this.pendingChars += frame.length;
      return;
    }
    this.write(frame, id);
  }

  private write(frame: string, id: string | undefined): void {
    const ok = this.res.write(frame);
    if (id !== undefined) this.lastWrittenId = id;
    if (!ok) {
      this.waitingForDrain = true;
      this.res.once('drain', () => this.drained());
    }
  }

  private drained(): void {
    this.waitingForDrain = false;
    while (!this.waitingForDrain && this.pending.length > 0 && !this.closed) {
      const next = this.pending.shift()!;
      this.pendingChars -= next.frame.length;
      this.write(next.frame, next.id);
    }
    if (!this.waitingForDrain && this.pending.length === 0 && this.onFlushed !== undefined) {
      const then = this.onFlushed;
      this.onFlushed = undefined;
      then();
    }
  }

  /** Ends the stream of a client too slow to follow, telling it where to resume. */
  private tooFarBehind(): void {
    this.live?.unsubscribe();
    this.pending.length = 0;
    this.pendingChars = 0;
    const resume = this.lastWrittenId;
    this.res.write(
      `${resume === undefined ? '' : `id: ${resume}\n`}event: resume\ndata: ${JSON.stringify({
        lastEventId: resume ?? null,
        message: `more than ${this.maxPendingChars} characters of alerts waited for this client: reconnect with Last-Event-ID ${resume ?? '(none: from the oldest retained alert)'} to resume`,
      })}\n\n`,
    );
    this.finish();
  }

  /** Writes what is pending and ends the response (the hub completed, or the client is too slow). */
  private finish(): void {
    if (this.closed) return;
    for (const p of this.pending.splice(0)) this.res.write(p.frame);
    this.pendingChars = 0;
    this.close();
    if (!this.res.writableEnded && !this.res.destroyed) this.res.end();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.live?.unsubscribe();
    clearInterval(this.heartbeat);
    this.onFlushed = undefined;
  }
}
