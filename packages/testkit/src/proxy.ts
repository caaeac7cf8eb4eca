// A loopback proxy in front of the GitHub API stand-in, for the two faults the stand-in cannot make:
// an answer lost after the server carried out the write (the client sees a reset and retries a POST
// that already happened), and an outage of one endpoint that outlasts every retry.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

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

/** A running forward proxy (what `HTTPS_PROXY`/`HTTP_PROXY` point at on a self-hosted runner). */
export interface ForwardProxy {
  /** The proxy's URL, for `HTTP_PROXY`/`HTTPS_PROXY`. */
  readonly url: string;
  /** Every `host:port` a client asked for, tunnelled (CONNECT) or forwarded (absolute-form request), in order. */
  readonly targets: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a forward proxy on loopback that tunnels CONNECT requests and forwards absolute-form ones.
 * `hosts` maps names that do not resolve here (`api.github.test`) to where they really are, so a test
 * can prove the traffic went through the proxy: without it, the name cannot be reached at all.
 */
export async function startForwardProxy(hosts: Record<string, string> = {}): Promise<ForwardProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const where = (host: string, port: number) => ({ host: hosts[host] ?? host, port });

  const server = createServer((req, res) => {
    // Absolute-form: `GET http://host:port/path HTTP/1.1`.
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const port = Number(url.port || 80);
    targets.push(`${url.hostname}:${port}`);
    const to = where(url.hostname, port);
    const out = httpRequest(
      {
        hostname: to.host,
        port: to.port,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [hostname = '', portText = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    targets.push(`${hostname}:${portText}`);
    const to = where(hostname, Number(portText));
    const upstream = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
