// A loopback proxy in front of the GitHub API stand-in, for the two faults the stand-in cannot make:
// an answer lost after the server carried out the write (the client sees a reset and retries a POST
// that already happened), and an outage of one endpoint that outlasts every retry.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to the traffic. */
export type ProxyMode =
  /** The answer of the n-th write request (1-based; POST, PUT, PATCH, DELETE) is lost after the write. */
  | { kind: 'lost-answer'; write: number }
  /** From the n-th request on, every request to the same method and path answers 503 (retries included). */
  | { kind: 'outage'; request: number };

/** A running proxy. */
export interface FaultProxy {
  /** What GITHUB_API_URL should be. */
  readonly url: string;
  readonly mode: ProxyMode;
  /** Answers lost after the write was done. */
  readonly lost: number;
  /** Requests answered 503 by the outage. */
  readonly outaged: number;
  /** The endpoint that went down (`POST /repos/…`), once it did. */
  readonly endpoint: string | undefined;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (the stand-in's URL) that injects `mode`. */
export async function startFaultProxy(target: string, mode: ProxyMode): Promise<FaultProxy> {
  const upstream = new URL(target);
  let requests = 0;
  let writes = 0;
  let lost = 0;
  let outaged = 0;
  let endpoint: string | undefined;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, dropAnswer: boolean) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (dropAnswer) {
            lost++;
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    out.on('error', () => req.socket.destroy());
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      const method = req.method ?? 'GET';
      const key = `${method} ${(req.url ?? '').split('?')[0]}`;
      const write = method !== 'GET' && method !== 'HEAD';
      if (write) writes++;
      if (mode.kind === 'outage' && endpoint === undefined && requests === mode.request) endpoint = key;
      if (mode.kind === 'outage' && endpoint === key) {
        outaged++;
        const text = JSON.stringify({ message: 'Service Unavailable', status: '503' });
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text);
        return;
      }
      const drop = mode.kind === 'lost-answer' && write && writes === mode.write;
      forward(req, Buffer.concat(chunks), res, drop);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode,
    get lost() {
      return lost;
    },
    get outaged() {
      return outaged;
    },
    get endpoint() {
      return endpoint;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
