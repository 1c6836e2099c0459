/**
 * A Protocube-like hub on loopback that checks a bearer token and (carelessly) echoes it
 * into a crash reason, beside a `?token=` URL: what the redaction tests need to see that
 * secrets are replaced in content while hub ids and names that contain them are not.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenEchoHub {
  /** The SSE stream's URL. */
  url: string;
  close(): Promise<void>;
}

/** Serves one `status` and one `crash` of server `srv-fleet` to requests bearing `token`; 401 to others. */
export async function startTokenEchoHub(token: string): Promise<TokenEchoHub> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(
      'event: status\ndata: {"Topic":"status","Data":{"server_id":"srv-fleet","payload":"running"}}\n\n',
    );
    const crash = {
      Topic: 'crash',
      Data: {
        server_id: 'srv-fleet',
        payload: { reason: `auth ${token} expired, see http://h.test/e?token=abc123`, exit_code: 137 },
      },
    };
    res.write(`event: crash\ndata: ${JSON.stringify(crash)}\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/events`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
