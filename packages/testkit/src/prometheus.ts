// A real Prometheus server for tests: the Debian `prometheus` binary on a free loopback port, with its
// configuration and storage in a temporary directory, scraping the given targets.
import { freePort } from './net.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';

/** The command that installs the binary {@link startPrometheus} needs. */
export const PROMETHEUS_INSTALL_COMMAND = 'sudo apt-get install -y --no-install-recommends prometheus';

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** `host:port` of each exporter to scrape (path `/metrics`). */
  scrapeTargets: readonly string[];
  /** Scrape interval in Prometheus notation (default `1s`); also the scrape timeout. */
  scrapeInterval?: string;
  /** The `job` label of the targets (default `canary`). */
  jobName?: string;
  /** The binary (default: `PROMETHEUS_BINARY`, then `prometheus` on PATH, then `/usr/bin/prometheus`). */
  binary?: string;
  /** Give up when the server is not ready and has not scraped every target after this long (default 30 s). */
  timeoutMs?: number;
}

/** One sample of an instant query's result. */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: number;
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Runs an instant query (GET /api/v1/query) and returns the samples of its vector (a scalar gives one). */
  query(promql: string): Promise<PrometheusSample[]>;
  /**
   * Instant queries the server has answered so far (from its own metrics), e.g. to wait until a gate
   * under test has taken its first reading.
   */
  apiQueries(): Promise<number>;
  /** Waits until every target has been scraped again after this call. */
  waitForScrape(): Promise<void>;
  /** What the server wrote to stdout and stderr so far. */
  log(): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Prometheus binary to run: `PROMETHEUS_BINARY`, `prometheus` on PATH, or `/usr/bin/prometheus`; undefined when none. */
export function findPrometheusBinary(): string | undefined {
  const fromEnv = process.env.PROMETHEUS_BINARY;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const candidate = join(dir, 'prometheus');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The configuration file {@link startPrometheus} writes: one job scraping `scrapeTargets` every `scrapeInterval`. */
export function prometheusConfigYaml(
  options: Pick<StartPrometheusOptions, 'scrapeTargets' | 'scrapeInterval' | 'jobName'>,
): string {
  const interval = options.scrapeInterval ?? '1s';
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: options.jobName ?? 'canary',
        static_configs: [{ targets: [...options.scrapeTargets] }],
      },
    ],
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface TargetsResponse {
  data?: { activeTargets?: { scrapeUrl?: string; lastScrape?: string }[] };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return response.json();
}

function lastScrapes(body: unknown): Map<string, number> {
  const scrapes = new Map<string, number>();
  for (const target of (body as TargetsResponse).data?.activeTargets ?? []) {
    const at = Date.parse(target.lastScrape ?? '');
    // Go's zero time (0001-01-01) means "never scraped".
    if (target.scrapeUrl !== undefined) scrapes.set(target.scrapeUrl, Number.isFinite(at) && at > 0 ? at : 0);
  }
  return scrapes;
}

/**
 * Starts Prometheus on a free loopback port, scraping `scrapeTargets`, and resolves once it is ready
 * and has scraped every target once (Prometheus 2.x applies new targets after about 5 s). Throws,
 * naming the install command, when the binary is missing.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const binary = options.binary ?? findPrometheusBinary();
  if (binary === undefined) {
    throw new Error(
      `The prometheus binary is not installed; canary-gate's tests need it. Install it with:\n  ${PROMETHEUS_INSTALL_COMMAND}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'hotfix-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfigYaml(options));

  let child: ChildProcess | undefined;
  let output = '';
  let exited: string | undefined;
  let port = 0;
  const kill = (): void => {
    child?.kill('SIGKILL');
  };
  // Another process may take the free port between the probe and Prometheus' bind: try a few.
  for (let attempt = 1; attempt <= 3; attempt++) {
    port = await freePort();
    exited = undefined;
    output = '';
    const started = spawn(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    started.on('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
    started.on('error', (error) => (exited = error.message));
    process.once('exit', kill);
    const ready = await waitFor(timeoutMs, async () => {
      if (exited !== undefined) return 'exited';
      try {
        const response = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        return response.ok ? 'ready' : undefined;
      } catch {
        return undefined;
      }
    });
    if (ready === 'ready') break;
    process.removeListener('exit', kill);
    kill();
    if (ready === 'exited' && /address already in use/.test(output) && attempt < 3) continue;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Prometheus did not become ready (${exited ?? 'timeout'}):\n${output.slice(-4000)}`);
  }
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    const running = child;
    if (running !== undefined && exited === undefined) {
      const done = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    }
    process.removeListener('exit', kill);
    await rm(dir, { recursive: true, force: true });
  };

  const scrapedAfter = async (since: number): Promise<void> => {
    const done = await waitFor(timeoutMs, async () => {
      if (exited !== undefined) return 'exited';
      const scrapes = lastScrapes(await getJson(`${url}/api/v1/targets`).catch(() => ({})));
      const all = scrapes.size >= options.scrapeTargets.length && [...scrapes.values()].every((at) => at > since);
      return all ? 'scraped' : undefined;
    });
    if (done !== 'scraped') {
      throw new Error(`Prometheus did not scrape every target (${exited ?? 'timeout'}):\n${output.slice(-4000)}`);
    }
  };

  try {
    await scrapedAfter(0);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    port,
    async query(promql: string) {
      const body = (await getJson(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
        data?: { resultType?: string; result?: unknown };
      };
      const { resultType, result } = body.data ?? {};
      if (resultType === 'scalar') return [{ metric: {}, value: Number((result as [number, string])[1]) }];
      return ((result ?? []) as { metric: Record<string, string>; value: [number, string] }[]).map((sample) => ({
        metric: sample.metric,
        value: Number(sample.value[1]),
      }));
    },
    async apiQueries() {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) });
      const page = await response.text();
      let total = 0;
      for (const line of page.split('\n')) {
        if (line.startsWith('prometheus_http_requests_total{') && line.includes('handler="/api/v1/query"')) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
      return total;
    },
    waitForScrape: () => scrapedAfter(Date.now()),
    log: () => output,
    stop,
  };
}

async function waitFor<T>(timeoutMs: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const result = await check();
    if (result !== undefined) return result;
    await sleep(100);
  }
  return undefined;
}
