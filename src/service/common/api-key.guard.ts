import { timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';

/** Methods that read only; everything else needs the key. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * When `API_KEY` is configured, every request that is not a GET/HEAD/OPTIONS (creating, changing
 * or deleting rules, validating and dry-running them, ingesting events, savepoints) must carry
 * header `x-api-key` with that value (compared in constant time); otherwise 401. Registered as a
 * global guard.
 *
 * @example
 * ```sh
 * curl -X POST -H 'x-api-key: s3cret-key' -H 'content-type: application/json' -d @rule.json localhost:8080/rules
 * ```
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly key: Buffer | undefined;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.key = config.apiKey === undefined ? undefined : Buffer.from(config.apiKey, 'utf8');
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.key === undefined || context.getType() !== 'http') return true;
    const req = context
      .switchToHttp()
      .getRequest<{ method: string; headers: Record<string, string | string[] | undefined> }>();
    if (SAFE_METHODS.has(req.method)) return true;
    const given = req.headers['x-api-key'];
    const value = Buffer.from(typeof given === 'string' ? given : '', 'utf8');
    if (value.length === this.key.length && timingSafeEqual(value, this.key)) return true;
    throw new UnauthorizedException({ statusCode: 401, message: 'missing or wrong x-api-key header' });
  }
}
