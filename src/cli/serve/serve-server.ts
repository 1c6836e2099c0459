/**
 * The HTTP server of `hubwatch serve`: the built UI and the API WebSocket, on loopback by
 * default, behind a random token. Every request without the token is refused — static
 * pages included — and the Host and Origin headers must name this server (no DNS
 * rebinding, no cross-site WebSocket).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PushMessage } from '../../shared/api';
import {
  SERVE_API_PATH,
  SERVE_TOKEN_COOKIE,
  SERVE_TOKEN_PARAM,
  type ClientMessage,
  type ServerMessage,
} from '../../shared/serve-protocol';
import { ApiSession } from '../../main/engine/api-session';
import type { Workspace } from '../../main/engine/workspace';
import type { ExportShelf } from './serve-host';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/** Largest API message the server accepts from a browser. */
const MAX_CLIENT_MESSAGE = 4 * 1024 * 1024;

export interface ServeServerOptions {
  workspace: Workspace;
  shelf: ExportShelf;
  rendererDir: string;
  host: string;
  port: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface ServeServer {
  url: string;
  /** The URL to open, with the token. */
  openUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SERVE_TOKEN_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererRoot = normalize(options.rendererDir);
  if (!existsSync(join(rendererRoot, 'index.html'))) {
    throw new Error(
      `the UI is not built (${join(rendererRoot, 'index.html')} is missing): run \`npm run build\``,
    );
  }
  let allowedHosts: Set<string> = new Set();
  let origin = '';

  const authorized = (req: IncomingMessage, url: URL): 'cookie' | 'query' | null => {
    const fromQuery = url.searchParams.get(SERVE_TOKEN_PARAM);
    if (fromQuery !== null && sameToken(fromQuery, token)) return 'query';
    const fromCookie = cookieToken(req);
    if (fromCookie !== null && sameToken(fromCookie, token)) return 'cookie';
    return null;
  };

  const refuse = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${message}\n`);
  };

  const serveFile = (res: ServerResponse, file: string, extraHeaders: Record<string, string> = {}) => {
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': extname(file) === '.html' ? 'no-store' : 'private, max-age=3600',
      ...extraHeaders,
    });
    createReadStream(file).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!allowedHosts.has(req.headers.host ?? '')) {
      refuse(res, 403, 'Forbidden: unexpected Host header');
      return;
    }
    const via = authorized(req, url);
    if (!via) {
      refuse(res, 401, 'Unauthorized: open the URL hubwatch serve printed (it carries the access token).');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'Method not allowed');
      return;
    }
    if (via === 'query') {
      // Trade the token in the URL for a cookie, and drop it from the address bar.
      url.searchParams.delete(SERVE_TOKEN_PARAM);
      res.writeHead(303, {
        Location: url.pathname + url.search,
        'Set-Cookie': `${SERVE_TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const exportMatch = /^\/exports\/([0-9a-f]+)\/([^/]+)$/.exec(url.pathname);
    if (exportMatch) {
      const file = options.shelf.lookup(exportMatch[1]!);
      if (!file || !existsSync(file)) {
        refuse(res, 404, 'This export is no longer available.');
        return;
      }
      const name = decodeURIComponent(exportMatch[2]!).replace(/["\r\n]/g, '');
      serveFile(res, file, {
        'Content-Disposition': `attachment; filename="${name}"`,
        'Content-Type': 'application/octet-stream',
      });
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      refuse(res, 400, 'Bad request');
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = normalize(join(rendererRoot, relative));
    if (!file.startsWith(rendererRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
      refuse(res, 404, 'Not found');
      return;
    }
    serveFile(res, file);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== SERVE_API_PATH) return reject(404, 'Not Found');
    if (!allowedHosts.has(req.headers.host ?? '')) return reject(403, 'Forbidden');
    if (
      req.headers.origin !== undefined &&
      req.headers.origin !== origin &&
      !allowedHosts.has(new URL(req.headers.origin).host)
    ) {
      return reject(403, 'Forbidden');
    }
    if (!authorized(req, url)) return reject(401, 'Unauthorized');
    sockets.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const session = new ApiSession(options.workspace, (batch: PushMessage[]) =>
      send({ type: 'push', batch }),
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      let message: ClientMessage;
      try {
        message = JSON.parse(data.toString('utf8')) as ClientMessage;
      } catch {
        return;
      }
      if (message?.type !== 'call' || typeof message.id !== 'number') return;
      void session
        .call(message.name, message.request)
        .then((result) => send({ type: 'result', id: message.id, result }));
    });
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts = new Set([`${displayHost}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  const base = `http://${displayHost}:${port}`;
  origin = base;
  return {
    url: `${base}/`,
    openUrl: `${base}/?${SERVE_TOKEN_PARAM}=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
