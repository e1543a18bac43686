import { timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';

/** Methods the read key grants. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Who made a request, as the audit log names it: the admin key (`API_KEY`), the read key
 * (`API_READ_KEY`), or no key (none configured, or an open endpoint).
 *
 * @example
 * ```ts
 * const who: Caller = requestCaller(req); // 'admin'
 * ```
 */
export type Caller = 'admin' | 'read' | 'none';

/** The property of the request where {@link ApiKeyGuard} records the {@link Caller}. */
const CALLER = Symbol('caller');

/** The parts of a request the access check reads. */
export interface GuardedRequest {
  method: string;
  path?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  [CALLER]?: Caller;
}

/**
 * The {@link Caller} of a request that went through {@link ApiKeyGuard} (`'none'` otherwise).
 *
 * @example
 * ```ts
 * requestCaller(req); // 'admin'
 * ```
 */
export function requestCaller(req: unknown): Caller {
  return (req as GuardedRequest | undefined)?.[CALLER] ?? 'none';
}

/**
 * When `API_KEY` is configured, every request (reads included: rules, alerts and their stream,
 * dead letters, metrics, the OpenAPI document) must carry it, as header `x-api-key` or
 * `Authorization: Bearer <key>` (compared in constant time); otherwise 401. Open: `/health/*`
 * (probes), and `/metrics` with `METRICS_PUBLIC=true`. `API_READ_KEY`, when set, grants GET and
 * HEAD only (403 for anything else). Registered as a global guard; it records who called
 * ({@link requestCaller}) for the audit log.
 *
 * @example
 * ```sh
 * curl -H 'x-api-key: s3cret-key' localhost:8080/rules
 * curl -H 'authorization: Bearer s3cret-key' -X POST -H 'content-type: application/json' -d @rule.json localhost:8080/rules
 * ```
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly access: ApiAccess;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.access = new ApiAccess(config);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    req[CALLER] = this.access.check(req);
    return true;
  }
}

/**
 * The access rules of {@link ApiKeyGuard}, also applied by `createApp` to the routes Nest does not
 * guard (`/docs`, `/openapi.json`).
 *
 * @example
 * ```ts
 * new ApiAccess(config).check(req); // 'admin', or throws a 401/403 HttpException
 * ```
 */
export class ApiAccess {
  private readonly key: Buffer | undefined;
  private readonly readKey: Buffer | undefined;
  private readonly metricsPublic: boolean;

  constructor(config: ServiceConfig) {
    this.key = config.apiKey === undefined ? undefined : Buffer.from(config.apiKey, 'utf8');
    this.readKey = config.apiReadKey === undefined ? undefined : Buffer.from(config.apiReadKey, 'utf8');
    this.metricsPublic = config.metricsPublic;
  }

  /** The caller of `req`, or throws 401 (no or wrong key) / 403 (read key, not a read). */
  check(req: GuardedRequest): Caller {
    if (this.key === undefined) return 'none';
    const given = presentedKey(req.headers);
    if (given !== undefined && same(given, this.key)) return 'admin';
    if (isOpen(pathOf(req), this.metricsPublic)) return 'none';
    if (given !== undefined && this.readKey !== undefined && same(given, this.readKey)) {
      if (READ_METHODS.has(req.method)) return 'read';
      throw new ForbiddenException({
        statusCode: 403,
        message: `the read key grants GET and HEAD only, not ${req.method}`,
      });
    }
    throw new UnauthorizedException({
      statusCode: 401,
      message: 'missing or wrong API key (header x-api-key or Authorization: Bearer)',
    });
  }
}

function pathOf(req: GuardedRequest): string {
  const p = req.path ?? (req.url ?? '/').split('?')[0] ?? '/';
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function isOpen(path: string, metricsPublic: boolean): boolean {
  if (path === '/health' || path.startsWith('/health/')) return true;
  return metricsPublic && path === '/metrics';
}

/** The key of `x-api-key`, else of `Authorization: Bearer`; undefined when neither is there. */
function presentedKey(headers: GuardedRequest['headers']): Buffer | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return Buffer.from(header, 'utf8');
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m !== null) return Buffer.from(m[1]!, 'utf8');
  }
  return undefined;
}

function same(given: Buffer, key: Buffer): boolean {
  return given.length === key.length && timingSafeEqual(given, key);
}
