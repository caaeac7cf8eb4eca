// A small loopback HTTP service that plays a canary (or its baseline) for canary-gate's tests and the demo.
//
// `/health` answers 200 or an error status, drawn from a seeded Bernoulli so that a run is repeatable;
// `/metrics` exposes cumulative counters in the Prometheus text format, created lazily per status code
// like the official client libraries do (a `code="500"` series only exists after the first 500, which
// is exactly what makes `or vector(0)` necessary in real queries). Optional synthetic traffic counts
// requests without any HTTP, so a scraping Prometheus sees thousands of requests per second for free.
import { freePort } from './net.js';
import { seededPrng } from './random.js';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How the service behaves: `healthy` (errors at `errorRate`, default 0), `bad` (default 20 % errors),
 * `flapping` (phases of `flapPeriod` requests alternate between `errorRate` and `flapErrorRate`),
 * `slow` (every answer waits `latencyMs`, default 250 ms) or `dead` (nothing listens: connection refused).
 */
export type CanaryServiceMode = 'healthy' | 'bad' | 'flapping' | 'slow' | 'dead';

/** Options of {@link startCanaryService}. */
export interface CanaryServiceOptions {
  /** Default `healthy`. */
  mode?: CanaryServiceMode;
  /** Probability that a request fails; the default depends on the mode (`bad`: 0.2, otherwise 0). */
  errorRate?: number;
  /** Seed of the error draws (default 1): the same seed and request order give the same answers. */
  seed?: number;
  /** Delay before every answer, in milliseconds (default 0; `slow`: 250). */
  latencyMs?: number;
  /** The `version` label of the metrics and the `version` field of `/health` (default `v1`). */
  version?: string;
  /** `flapping`: requests per phase (default 20). */
  flapPeriod?: number;
  /** `flapping`: the error rate of the bad phases (default 0.5). */
  flapErrorRate?: number;
  /** Status of a failed `/health` answer (default 500). With 200 only the body (`"status":"error"`) tells. */
  errorStatus?: number;
  /** Synthetic requests per second counted in the metrics without any HTTP (default 0). */
  traffic?: number;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/** The cumulative counts of the service since it started or since the last reset. */
export interface CanaryServiceCounts {
  total: number;
  errors: number;
}

/** A running canary service and its controls. */
export interface CanaryService {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `<url>/health`. */
  readonly healthUrl: string;
  /** `<url>/metrics`. */
  readonly metricsUrl: string;
  /** `127.0.0.1:<port>`, as a Prometheus scrape target. */
  readonly target: string;
  readonly port: number;
  readonly version: string;
  /** The current mode. */
  readonly mode: CanaryServiceMode;
  /** HTTP requests received on `path` (e.g. `/health`), or on every path when omitted; resets never clear it. */
  requestCount(path?: string): number;
  /** Requests and errors counted (HTTP and synthetic) since the start or the last {@link resetCounters}. */
  counts(): CanaryServiceCounts;
  /** The metrics page as Prometheus would scrape it. */
  metrics(): string;
  /** Changes the error rate from now on (in `flapping` mode: the rate of the good phases). */
  setErrorRate(rate: number): void;
  /** Changes the delay before every answer. */
  setLatency(ms: number): void;
  /** Changes the synthetic traffic (requests per second). */
  setTraffic(requestsPerSecond: number): void;
  /** Changes the mode; `dead` stops listening (connection refused), leaving `dead` listens again on the same port. */
  setMode(mode: CanaryServiceMode): Promise<void>;
  /** Sets every counter back to zero, as a restarted process does (series disappear until counted again). */
  resetCounters(): void;
  /** Stops listening and the synthetic traffic. */
  stop(): Promise<void>;
}

const TRAFFIC_TICK_MS = 100;

function assertRate(rate: number, name: string): void {
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    throw new RangeError(`${name} must be between 0 and 1; got ${rate}`);
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Starts a canary service on loopback (see {@link CanaryServiceOptions}); stop it with `stop()`. */
export async function startCanaryService(options: CanaryServiceOptions = {}): Promise<CanaryService> {
  let mode: CanaryServiceMode = options.mode ?? 'healthy';
  let errorRate = options.errorRate ?? (mode === 'bad' ? 0.2 : 0);
  let latencyMs = options.latencyMs ?? (mode === 'slow' ? 250 : 0);
  let traffic = options.traffic ?? 0;
  const flapPeriod = options.flapPeriod ?? 20;
  const flapErrorRate = options.flapErrorRate ?? 0.5;
  const errorStatus = options.errorStatus ?? 500;
  const version = options.version ?? 'v1';
  const seed = options.seed ?? 1;
  assertRate(errorRate, 'errorRate');
  assertRate(flapErrorRate, 'flapErrorRate');
  if (!(Number.isInteger(flapPeriod) && flapPeriod >= 1)) throw new RangeError('flapPeriod must be a whole number ≥ 1');

  // Two streams: HTTP requests and synthetic traffic interleave in timer order, which must not change
  // the answers the HTTP requests get.
  const httpRandom = seededPrng(seed);
  const trafficRandom = seededPrng(seed ^ 0x5bd1e995);
  let draws = 0;
  const byCode = new Map<number, number>();
  const requests = new Map<string, number>();
  const startedAt = Date.now() / 1000;
  let resetAt = startedAt;

  const currentRate = (): number => {
    if (mode === 'bad' || mode === 'healthy' || mode === 'slow') return errorRate;
    if (mode === 'flapping') return Math.floor(draws / flapPeriod) % 2 === 0 ? errorRate : flapErrorRate;
    return 0;
  };
  const draw = (random: () => number): boolean => {
    const failed = random() < currentRate();
    draws++;
    return failed;
  };
  const count = (code: number): void => {
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  };
  const counts = (): CanaryServiceCounts => {
    let total = 0;
    let errors = 0;
    for (const [code, value] of byCode) {
      total += value;
      if (code >= 500) errors += value;
    }
    return { total, errors };
  };
  const metrics = (): string => {
    const label = escapeLabel(version);
    const lines = [
      '# HELP http_requests_total HTTP requests served, by status code.',
      '# TYPE http_requests_total counter',
      ...[...byCode.entries()]
        .sort(([a], [b]) => a - b)
        .map(([code, value]) => `http_requests_total{code="${code}",version="${label}"} ${value}`),
      '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${resetAt.toFixed(3)}`,
    ];
    return `${lines.join('\n')}\n`;
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    if (path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(metrics());
      return;
    }
    if (path !== '/health') {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found\n');
      return;
    }
    const failed = draw(httpRandom);
    const status = failed ? errorStatus : 200;
    const answer = (): void => {
      count(failed ? 500 : 200);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: failed ? 'error' : 'ok', version }));
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  };

  const port = options.port ?? (await freePort());
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const listen = async (): Promise<void> => {
    const next = createServer(handle);
    next.keepAliveTimeout = 5_000;
    next.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', resolve);
    });
    server = next;
  };
  const close = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  if (mode !== 'dead') await listen();

  let carry = 0;
  const timer = setInterval(() => {
    if (mode === 'dead' || traffic <= 0) return;
    carry += (traffic * TRAFFIC_TICK_MS) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    for (let i = 0; i < n; i++) count(draw(trafficRandom) ? 500 : 200);
  }, TRAFFIC_TICK_MS);
  timer.unref();

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    healthUrl: `${url}/health`,
    metricsUrl: `${url}/metrics`,
    target: `127.0.0.1:${port}`,
    port,
    version,
    get mode() {
      return mode;
    },
    requestCount: (path?: string) =>
      path === undefined ? [...requests.values()].reduce((a, b) => a + b, 0) : (requests.get(path) ?? 0),
    counts,
    metrics,
    setErrorRate(rate: number) {
      assertRate(rate, 'errorRate');
      errorRate = rate;
    },
    setLatency(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    setTraffic(requestsPerSecond: number) {
      traffic = Math.max(0, requestsPerSecond);
    },
    async setMode(next: CanaryServiceMode) {
      const wasDead = mode === 'dead';
      mode = next;
      if (next === 'dead' && !wasDead) await close();
      if (next !== 'dead' && wasDead) await listen();
    },
    resetCounters() {
      byCode.clear();
      resetAt = Date.now() / 1000;
    },
    async stop() {
      clearInterval(timer);
      await close();
    },
  };
}
