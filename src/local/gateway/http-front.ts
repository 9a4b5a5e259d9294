import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { handleManagementRequest, type ManagementApiDeps } from './management-api.ts';

interface HttpFrontOptions {
  /** 0 picks a free port. @default 3001 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Other plain HTTP requests on the gateway's port (not `@connections`, not an upgrade), e.g. a demo
   * page. Return true when handled; otherwise the gateway answers as API Gateway would (403/426).
   */
  onHttpRequest?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

/** A listening server and how URLs name it. */
interface Listener {
  server: Server;
  port: number;
  /** The host as a URL writes it (an IPv6 address in brackets). */
  urlHost: string;
}

interface HttpFrontDeps {
  /** The WebSocket side: every upgrade request goes there. */
  frontDoor: { handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void };
  /** The `@connections` API, tried first for plain requests. */
  management: ManagementApiDeps;
  onHttpRequest: HttpFrontOptions['onHttpRequest'];
  /** Track each request so stop() can wait for it. */
  track: (work: Promise<unknown>) => void;
}

const listen = async (port: number, host: string): Promise<Listener> => {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return { server, port: boundPort, urlHost: host.includes(':') ? `[${host}]` : host };
};

/** A plain request: the management API, then `onHttpRequest`, then API Gateway's 426 on the stage path and 403 elsewhere. */
const answerPlainRequest = async (req: IncomingMessage, res: ServerResponse, deps: HttpFrontDeps): Promise<void> => {
  if (await handleManagementRequest(req, res, deps.management)) return;
  if (await deps.onHttpRequest?.(req, res)) return;
  const status = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/$/, '') === `/${deps.management.stage}` ? 426 : 403;
  const body = status === 426 ? '{"message":"Upgrade Required"}' : '{"message":"Forbidden"}';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
};

/** The gateway's one port: upgrades to the WebSocket front door, plain requests to the management API and the rest. */
const serveHttp = (server: Server, deps: HttpFrontDeps): void => {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => deps.frontDoor.handleUpgrade(req, socket, head));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    deps.track(
      answerPlainRequest(req, res, deps).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      }),
    );
  });
};

export type { HttpFrontOptions, Listener };
export { listen, serveHttp };
