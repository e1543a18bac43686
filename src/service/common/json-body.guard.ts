import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';

/**
 * Whether a `content-type` header names JSON: `application/json` or `application/<x>+json`,
 * parameters (`; charset=utf-8`) allowed.
 *
 * @example
 * ```ts
 * isJsonContentType('application/json; charset=utf-8'); // true
 * isJsonContentType('application/x-www-form-urlencoded'); // false
 * ```
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** The content types the service's body parser reads (the same ones {@link isJsonContentType} accepts). */
export const JSON_CONTENT_TYPES = ['application/json', 'application/*+json'];

/**
 * 415 for a request to an endpoint that reads a JSON body (a handler with a `@Body()` parameter:
 * `POST /events`, `POST`/`PUT /rules`, `/rules/validate`, `/rules/dry-run`,
 * `PATCH /rules/:id/status`) whose `content-type` is not JSON, or missing: a `curl -d` form
 * post or a text/plain body would otherwise arrive as an empty body. Registered as a global guard
 * after the API-key guard (so a caller without a key gets 401 first).
 *
 * @example
 * ```sh
 * curl -d 'type=x' localhost:8080/events   # 415
 * ```
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  private readonly readsBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let reads = this.readsBody.get(handler);
    if (reads === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      reads = Object.keys(args).some((k) => k.split(':')[0] === String(RouteParamtypes.BODY));
      this.readsBody.set(handler, reads);
    }
    if (!reads) return true;
    const req = context
      .switchToHttp()
      .getRequest<{ method: string; headers: Record<string, string | string[] | undefined> }>();
    const type = req.headers['content-type'];
    if (isJsonContentType(typeof type === 'string' ? type : undefined)) return true;
    throw new UnsupportedMediaTypeException({
      statusCode: 415,
      message:
        type === undefined
          ? `${req.method} needs a JSON body with content-type: application/json (no content-type given)`
          : `${req.method} needs a JSON body with content-type: application/json, got "${String(type)}"`,
    });
  }
}
