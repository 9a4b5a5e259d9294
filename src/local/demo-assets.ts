/**
 * Serves the demo chat page from the local gateway's HTTP server: `GET /` (the page),
 * `GET /demo/app.js` (its bundle, built with esbuild on first use) and `GET /demo/token?user=alice`
 * (a dev token for that user, minted with the dev secret, asked again on every reconnect).
 * For local use only: anyone who can reach the endpoint gets a token for any user.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoAssets } from '../demo/build-demo.ts';
import { DEV_JWT_SECRET, LOCAL_DEFAULTS } from './dev-config.ts';
import { mintDevToken } from './dev-token.ts';

interface DemoHandlerOptions {
  /** The WebSocket stage the page connects to (`ws://<host>/<stage>`). @default 'dev' */
  stage?: string;
  /** The WebSocket URL the page uses; by default derived from the request's Host header and `stage`. */
  webSocketUrl?: string;
  /** The secret the gateway's authorizer verifies with. @default the dev secret */
  jwtSecret?: string;
  /** Put in the token when the authorizer checks `iss`. @default process.env.JWT_ISSUER */
  issuer?: string;
  /** Put in the token when the authorizer checks `aud`. @default process.env.JWT_AUDIENCE */
  audience?: string;
  /** Lifetime of the tokens the page gets. @default 3600 */
  tokenTtlSeconds?: number;
}

type DemoHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const USER = /^[A-Za-z0-9_.:@-]{1,64}$/;

const send = (response: ServerResponse, status: number, type: string, body: string, head = false): void => {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(head ? undefined : body);
};

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The page with the WebSocket URL it connects to filled in. */
const pageFor = (html: string, request: IncomingMessage, options: DemoHandlerOptions): string => {
  const stage = options.stage ?? LOCAL_DEFAULTS.stage;
  const webSocketUrl = options.webSocketUrl ?? `ws://${request.headers.host ?? `localhost:${LOCAL_DEFAULTS.port}`}/${stage}`;
  return html.replace('<meta name="chat-websocket-url" content="">', `<meta name="chat-websocket-url" content="${escapeAttribute(webSocketUrl)}">`);
};

/** `GET /demo/token?user=alice`: a dev token for that user, or 400 for a user name the page could not have sent. */
const serveToken = async (url: URL, response: ServerResponse, options: DemoHandlerOptions, head: boolean): Promise<void> => {
  const user = url.searchParams.get('user') ?? '';
  if (!USER.test(user)) {
    send(response, 400, 'application/json', JSON.stringify({ message: 'user must be 1-64 characters of A-Z a-z 0-9 _ . : @ -' }));
    return;
  }
  const ttlSeconds = options.tokenTtlSeconds ?? LOCAL_DEFAULTS.tokenTtlSeconds;
  const issuer = options.issuer ?? process.env.JWT_ISSUER;
  const audience = options.audience ?? process.env.JWT_AUDIENCE;
  const token = await mintDevToken({
    user,
    ttlSeconds,
    secret: options.jwtSecret ?? DEV_JWT_SECRET,
    ...(issuer ? { issuer } : {}),
    ...(audience ? { audience } : {}),
  });
  send(response, 200, 'application/json', JSON.stringify({ token, user, expiresInSeconds: ttlSeconds }), head);
};

/**
 * Creates the request handler; it answers the demo's paths and returns `false` for anything else,
 * so the gateway goes on with its own routing.
 * @example
 * const serveDemo = createDemoHandler({ stage: 'dev' });
 * server.on('request', async (req, res) => {
 *   if (await handleManagementRequest(req, res, deps)) return;
 *   if (await serveDemo(req, res)) return;
 *   // ... 403 / 426
 * });
 */
const createDemoHandler = (options: DemoHandlerOptions = {}): DemoHandler => {
  let assets: Promise<DemoAssets> | undefined;
  // Built on first use, so starting the gateway costs nothing; a failed build is retried on the next request.
  const loadAssets = () => {
    assets ??= import('../demo/build-demo.ts')
      .then(({ buildDemo }) => buildDemo())
      .catch((error: unknown) => {
        assets = undefined;
        throw error;
      });
    return assets;
  };

  return async (request, response) => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = new URL(request.url ?? '/', 'http://localhost');
    const head = method === 'HEAD';
    switch (url.pathname) {
      case '/':
      case '/index.html':
        send(response, 200, 'text/html; charset=utf-8', pageFor((await loadAssets()).html, request, options), head);
        return true;
      case '/demo/app.js':
        send(response, 200, 'text/javascript; charset=utf-8', (await loadAssets()).script, head);
        return true;
      case '/demo/token':
        await serveToken(url, response, options, head);
        return true;
      case '/favicon.ico':
        response.writeHead(204, { 'Cache-Control': 'max-age=86400' });
        response.end();
        return true;
      default:
        return false;
    }
  };
};

/** The handler with the local defaults (stage `dev`, the dev secret). */
const serveDemo: DemoHandler = createDemoHandler();

export type { DemoHandler, DemoHandlerOptions };
export { createDemoHandler, serveDemo };
