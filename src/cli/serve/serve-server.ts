/**
 * The HTTP server of `hubwatch serve`: the built UI and the API WebSocket, on loopback by
 * default, behind a random token. Every request without the token is refused — static
 * pages included — and the Host and Origin headers must name this server (no DNS
 * rebinding, no cross-site WebSocket). Whatever a client sends, it gets an answer or a
 * closed connection: a malformed request is refused with 400, and nothing a client can
 * send takes the process down.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallResult, PushMessage } from '../../shared/api';
import {
  SERVE_API_PATH,
  SERVE_TOKEN_COOKIE,
  SERVE_TOKEN_PARAM,
  type ClientMessage,
  type ServerMessage,
} from '../../shared/serve-protocol';
import { ApiSession, type Workspace } from '../../main/engine';
import type { ExportShelf } from './serve-host';
import {
  attachmentDisposition,
  cookieValues,
  decodeComponent,
  parseRequestTarget,
  singleHeader,
} from './request-guard';

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

/** Largest API message the server accepts from a browser; a bigger one closes that socket (1009). */
export const MAX_CLIENT_MESSAGE = 4 * 1024 * 1024;

const UNAUTHORIZED = 'Unauthorized: open the URL hubwatch serve printed (it carries the access token).';

/** Headers that name the page opening a WebSocket (`Sec-WebSocket-Origin` is version 8's). */
const ORIGIN_HEADERS = ['origin', 'sec-websocket-origin'] as const;

/** How long a refused connection is drained before it is closed regardless. */
const LINGER_MS = 2000;

/** Answers to requests Node's HTTP parser could not read (as Node itself would answer them). */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

export interface ServeServerOptions {
  workspace: Workspace;
  shelf: ExportShelf;
  rendererDir: string;
  host: string;
  port: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /**
   * A fault of this server (not of a client's request) that was caught so the process could
   * go on; the default writes it to stderr.
   */
  onError?: (message: string) => void;
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

/** What a request may do once its head has been read: go on (and how it proved the token), or be refused. */
type Admission =
  { url: URL; via: 'cookie' | 'query' } | { url?: undefined; status: 400 | 401 | 403; message: string };

/**
 * Writes a complete refusal on a socket that has no response object, then closes it. The
 * close lingers (RFC 9112 §9.6): what the client is still sending is read and dropped for a
 * while, because closing with unread bytes resets the connection, and a reset can destroy
 * the refusal before the client reads it.
 */
function refuseSocket(lingering: Set<Duplex>, socket: Duplex, status: number, message = ''): void {
  // Refused already (Node reports each later chunk of a request it could not parse again).
  if (socket.writableEnded && !socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = message ? `${message}\n` : '';
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  lingering.add(socket);
  socket.once('close', () => {
    clearTimeout(linger);
    lingering.delete(socket);
  });
  // The client is done sending: close once the refusal has gone out.
  socket.once('end', () =>
    socket.writableFinished ? socket.destroy() : socket.once('finish', () => socket.destroy()),
  );
  socket.resume();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const describeError = (error: unknown) =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);

/** The call in one API message, or `null` when it is not one (not JSON, not an object, no numeric id). */
function parseCall(text: string): ClientMessage | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const { type, id } = message as Partial<Record<keyof ClientMessage, unknown>>;
  if (type !== 'call' || typeof id !== 'number' || !Number.isFinite(id)) return null;
  return message as ClientMessage;
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererRoot = normalize(options.rendererDir);
  if (!existsSync(join(rendererRoot, 'index.html'))) {
    throw new Error(
      `the UI is not built (${join(rendererRoot, 'index.html')} is missing): run \`npm run build\``,
    );
  }
  const reportError = options.onError ?? ((message) => process.stderr.write(`hubwatch serve: ${message}\n`));
  let allowedHosts: Set<string> = new Set();
  let allowedOrigins: Set<string> = new Set();

  const authorized = (req: IncomingMessage, url: URL): 'cookie' | 'query' | null => {
    const fromQuery = url.searchParams.get(SERVE_TOKEN_PARAM);
    if (fromQuery !== null && sameToken(fromQuery, token)) return 'query';
    if (cookieValues(req.headers.cookie, SERVE_TOKEN_COOKIE).some((value) => sameToken(value, token)))
      return 'cookie';
    return null;
  };

  /**
   * The checks every request passes before anything else is read, in this order: a
   * readable target (400), one Host naming this server (400 / 403), for a WebSocket one
   * Origin naming it if any (400 / 403 — `null` from a sandboxed frame included), the token (401).
   */
  const admit = (req: IncomingMessage, websocket: boolean): Admission => {
    const url = parseRequestTarget(req.url);
    if (!url) return { status: 400, message: 'Bad request: the request target must be a path' };
    const host = singleHeader(req, 'host');
    if (host === null) return { status: 400, message: 'Bad request: more than one Host header' };
    if (host === undefined || !allowedHosts.has(host.toLowerCase()))
      return { status: 403, message: 'Forbidden: unexpected Host header' };
    if (websocket) {
      for (const name of ORIGIN_HEADERS) {
        const value = singleHeader(req, name);
        if (value === null) return { status: 400, message: `Bad request: more than one ${name} header` };
        if (value !== undefined && !allowedOrigins.has(value))
          return { status: 403, message: 'Forbidden: unexpected Origin' };
      }
    }
    const via = authorized(req, url);
    if (!via) return { status: 401, message: UNAUTHORIZED };
    return { url, via };
  };

  const refuse = (res: ServerResponse, status: number, message: string) => {
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
    };
    // After a request we could not read, the rest of the connection cannot be trusted either.
    if (status === 400) headers['Connection'] = 'close';
    res.writeHead(status, headers);
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
    // pipeline, not pipe: a file gone since the check, or a client gone mid-download, ends
    // this response only, and the file is closed either way.
    pipeline(createReadStream(file), res, (error) => {
      if (error) res.destroy();
    });
  };

  /** Refused connections still being drained (closed at once when the server closes). */
  const lingering = new Set<Duplex>();
  /** The response in flight on each connection, so a parse error never writes into one. */
  const inFlight = new WeakMap<Socket, ServerResponse>();

  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    const admission = admit(req, false);
    if (admission.url === undefined) {
      refuse(res, admission.status, admission.message);
      return;
    }
    const { url, via } = admission;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refuse(res, 405, 'Method not allowed');
      return;
    }
    if (via === 'query') {
      // Trade the token in the URL for a cookie, and drop it from the address bar. One
      // leading slash only: `//host` in a Location would send the browser to that host.
      url.searchParams.delete(SERVE_TOKEN_PARAM);
      res.writeHead(303, {
        Location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
        'Set-Cookie': `${SERVE_TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const exportMatch = /^\/exports\/([0-9a-f]+)\/([^/]+)$/.exec(url.pathname);
    if (exportMatch) {
      const name = decodeComponent(exportMatch[2]!);
      if (name === null) {
        refuse(res, 400, 'Bad request: the file name is not valid percent-encoding');
        return;
      }
      const file = options.shelf.lookup(exportMatch[1]!);
      if (!file || !existsSync(file)) {
        refuse(res, 404, 'This export is no longer available.');
        return;
      }
      serveFile(res, file, {
        'Content-Disposition': attachmentDisposition(name),
        'Content-Type': 'application/octet-stream',
      });
      return;
    }
    const pathname = decodeComponent(url.pathname);
    if (pathname === null) {
      refuse(res, 400, 'Bad request: the path is not valid percent-encoding');
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = normalize(join(rendererRoot, relative));
    if (!file.startsWith(rendererRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
      refuse(res, 404, 'Not found');
      return;
    }
    serveFile(res, file);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    try {
      handleRequest(req, res);
    } catch (error) {
      reportError(`a request to ${JSON.stringify(req.url)} failed: ${describeError(error)}`);
      if (!res.headersSent) refuse(res, 500, 'Internal server error');
      else res.destroy();
    }
  };
  const server: Server = createServer(onRequest);
  // No request here has a body, so none is invited: `Expect: 100-continue` gets the same
  // answer as without it (Node would send 100 Continue first, to anyone).
  server.on('checkContinue', onRequest);

  // A request Node could not parse (bad request line or header, 60 KB of headers, a
  // connection cut mid-request): answer as Node would, unless a response is already under
  // way on that connection, and close it.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const response = inFlight.get(socket as Socket);
    const midResponse = response !== undefined && response.headersSent && !response.writableFinished;
    if (error.code === 'ECONNRESET' || midResponse) socket.destroy();
    else refuseSocket(lingering, socket, CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over with no 'error' listener: a client resetting it while we
    // answer must not become an uncaught exception.
    const onSocketError = () => socket.destroy();
    socket.on('error', onSocketError);
    try {
      const admission = admit(req, true);
      if (admission.url === undefined)
        return refuseSocket(lingering, socket, admission.status, admission.message);
      if (admission.url.pathname !== SERVE_API_PATH) return refuseSocket(lingering, socket, 404, 'Not found');
      // ws answers a bad method, Upgrade, Sec-WebSocket-Key or -Version with 400 or 405 itself.
      sockets.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', onSocketError);
        attach(ws);
      });
    } catch (error) {
      reportError(`a WebSocket upgrade to ${JSON.stringify(req.url)} failed: ${describeError(error)}`);
      socket.destroy();
    }
  });

  const attach = (ws: WebSocket) => {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const session = new ApiSession(options.workspace, (batch: PushMessage[]) =>
      send({ type: 'push', batch }),
    );
    const answer = (id: number, result: CallResult<unknown>) => {
      try {
        send({ type: 'result', id, result });
      } catch (error) {
        reportError(`the answer to call ${id} could not be sent: ${describeError(error)}`);
        try {
          send({
            type: 'result',
            id,
            result: { ok: false, error: { message: 'the answer could not be sent' } },
          });
        } catch {
          // The socket itself is failing; its 'error' or 'close' ends the session.
        }
      }
    };
    // Messages that are not calls ({type: 'call', numeric id}) are ignored: there is no id to
    // answer. Every call is answered exactly once — unknown names and payloads the schema
    // refuses with an error saying why (ApiSession.call).
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        if (isBinary) return;
        const message = parseCall(data.toString('utf8'));
        if (!message) return;
        session.call(message.name, message.request).then(
          (result) => answer(message.id, result),
          (error: unknown) => answer(message.id, { ok: false, error: { message: describeError(error) } }),
        );
      } catch (error) {
        reportError(`an API message could not be handled: ${describeError(error)}`);
      }
    });
    // Invalid frames and messages over maxPayload close this socket only (ws emits 'error'
    // and closes with 1002 / 1007 / 1009).
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // From now on, an error of the listening socket (EMFILE on accept, say) is reported, not thrown.
  server.on('error', (error) => reportError(`the server: ${describeError(error)}`));
  const port = (server.address() as AddressInfo).port;
  const displayHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  allowedHosts = new Set([`${displayHost}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  allowedOrigins = new Set([...allowedHosts].map((host) => `http://${host}`));
  const base = `http://${displayHost}:${port}`;
  return {
    url: `${base}/`,
    openUrl: `${base}/?${SERVE_TOKEN_PARAM}=${token}`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        for (const socket of lingering) socket.destroy();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
