/** Small helpers for the demo hub's plain HTTP answers (JSON bodies, problem details, request bodies). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Answers with an RFC 9457 problem document (`application/problem+json`), the error format
 * of the Backend.AI manager.
 */
export function sendProblem(
  res: ServerResponse,
  status: number,
  problem: { type: string; title: string; detail: string },
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ ...problem, status });
  res.writeHead(status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The error body the bot hub, Protocube and rdev use: `{"error": {"code", "message"}}`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

/** Answers 405 naming the methods the path allows. */
export function sendMethodNotAllowed(res: ServerResponse, method: string, allowed: readonly string[]): void {
  sendError(res, 405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(' or ')}`, {
    Allow: allowed.join(', '),
  });
}

/** Reads a request body as UTF-8 text, up to `limit` bytes (a longer body rejects). */
export function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new RangeError(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The value of a Bearer `Authorization` header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}
