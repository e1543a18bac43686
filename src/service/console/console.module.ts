import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  RequestMethod,
} from '@nestjs/common';
import { ConsoleAssets } from './console-assets.js';

/** Express's request, as the middleware sees it: the URL before a mount path was stripped. */
interface MountedRequest extends IncomingMessage {
  originalUrl?: string;
}

/**
 * Answers `/` (a redirect to the console) and `/console/*` (its built assets, see
 * {@link ConsoleAssets}). A middleware, so it runs before the guards: the page and its scripts
 * are public (they hold no data), and the console asks for the API key itself when the API
 * answers 401.
 */
@Injectable()
export class ConsoleMiddleware implements NestMiddleware {
  private readonly assets = new ConsoleAssets();

  use(req: MountedRequest, res: ServerResponse, next: () => void): void {
    const url = req.originalUrl ?? req.url ?? '/';
    const path = url.split('?')[0]!;
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(302, { location: '/console/' }).end();
      return;
    }
    if (path !== '/console' && !path.startsWith('/console/')) {
      next();
      return;
    }
    if (!this.assets.serve(Object.assign(req, { url }), res)) next();
  }
}

/**
 * The operator console (sources in `console/`, built by `npm run build` into `dist/console`):
 * served at `/console/`, with `/` redirecting there; same origin as the API, in embedded and in
 * Kafka mode.
 *
 * @example
 * ```ts
 * imports: [ConsoleModule]  // in AppModule
 * ```
 */
@Module({ providers: [ConsoleMiddleware] })
export class ConsoleModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ConsoleMiddleware)
      .forRoutes(
        { path: '/', method: RequestMethod.GET },
        { path: 'console', method: RequestMethod.GET },
        { path: 'console/*path', method: RequestMethod.GET },
      );
  }
}
