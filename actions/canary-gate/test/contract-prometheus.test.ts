// Runner-contract tests of the committed bundle against a real Prometheus (the Debian package, on loopback)
// scraping real exporters every second. One Prometheus for the file; each test has its own services,
// told apart by their `version` label, whose synthetic traffic makes thousands of requests a second.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundle, startCanaryService, startPrometheus } from '@hotfix-actions/testkit';
import type { BundleRun, CanaryService, PrometheusServer } from '@hotfix-actions/testkit';

let prometheus: PrometheusServer;
const svc: Record<string, CanaryService> = {};

const SERVICES = {
  healthy: { errorRate: 0.001, traffic: 2000, seed: 31 },
  bad: { errorRate: 0.05, traffic: 2000, seed: 32 },
  reset: { errorRate: 0.001, traffic: 3000, seed: 33 },
  clean: { errorRate: 0, traffic: 500, seed: 34 },
  baseline: { errorRate: 0.01, traffic: 2000, seed: 35 },
} as const;

beforeAll(async () => {
  for (const [version, options] of Object.entries(SERVICES)) {
    svc[version] = await startCanaryService({ ...options, version });
  }
  prometheus = await startPrometheus({
    scrapeTargets: Object.values(svc).map((s) => s.target),
    scrapeInterval: '1s',
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(Object.values(svc).map((s) => s.stop()));
});

/** Queries of one version's counters, with `or vector(0)` on the errors query as the README advises. */
function queries(version: string, side: 'canary' | 'baseline' = 'canary'): Record<string, string> {
  return {
    [`${side}-errors-query`]: `sum(http_requests_total{version="${version}",code=~"5.."}) or vector(0)`,
    [`${side}-total-query`]: `sum(http_requests_total{version="${version}"})`,
  };
}

function gate(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle({
    bundle: 'canary-gate',
    inputs: { 'prometheus-url': prometheus.url, interval: '1s', duration: '30s', ...inputs },
  });
}

interface PrometheusBatch {
  canary: { errors?: number; total?: number; noData?: string };
  detail: { prometheus?: { time: number; canary?: { errors: number | null; total: number | null; reset?: boolean } } };
}
interface Report {
  sources: {
    kind: string;
    analysis: string;
    target: { endpoint: string; queries: Record<string, string> };
    batches: PrometheusBatch[];
  }[];
}
const reportOf = (run: BundleRun): Report => JSON.parse(run.outputs.report ?? '{}') as Report;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Alone, not concurrent: it watches Prometheus' count of answered queries to reset the counters right
// after the gate's first reading, so the reset falls inside the run however slowly the gate starts.
describe('canary-gate across a counter reset (real Prometheus, committed bundle)', () => {
  it('measures the increase across a restarted canary and still decides', async () => {
    const answered = await prometheus.apiQueries();
    const running = gate({
      ...queries('reset'),
      'baseline-error-rate': '0.005',
      'max-error-rate': '0.01',
      // More than two seconds of traffic: the verdict cannot come before the reading after the reset.
      'min-samples': '5000',
      'max-samples': 'unlimited',
    });
    for (let i = 0; i < 200 && (await prometheus.apiQueries()) < answered + 2; i++) await sleep(25);
    const before = svc.reset!.counts().total;
    svc.reset!.resetCounters();
    const run = await running;
    expect(before).toBeGreaterThan(0);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('promote');
    const batches = reportOf(run).sources[0]?.batches ?? [];
    const resets = batches.filter((batch) => batch.detail.prometheus?.canary?.reset === true);
    expect(resets).toHaveLength(1);
    // The increase across a reset is the counter's new value, never negative.
    const [reset] = resets;
    expect(reset?.canary.total).toBe(reset?.detail.prometheus?.canary?.total);
    expect(batches.every((batch) => batch.canary.noData !== undefined || (batch.canary.total ?? -1) >= 0)).toBe(true);
    expect(Number(run.outputs.samples)).toBeGreaterThanOrEqual(5000);
  });
});

describe.concurrent('canary-gate with a real Prometheus (committed bundle)', () => {
  it('promotes a healthy canary from its counters, with the queries as sent in the report', async () => {
    const run = await gate({ ...queries('healthy'), 'baseline-error-rate': '0.005', 'max-error-rate': '0.01' });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('promote');
    expect(Number(run.outputs.samples)).toBeGreaterThan(500);
    expect(Number(run.outputs['error-rate'])).toBeLessThan(0.005);
    const [source] = reportOf(run).sources;
    expect(source?.kind).toBe('prometheus');
    expect(source?.target).toEqual({
      endpoint: `${prometheus.url}/api/v1/query`,
      queries: {
        'canary-errors-query': 'sum(http_requests_total{version="healthy",code=~"5.."}) or vector(0)',
        'canary-total-query': 'sum(http_requests_total{version="healthy"})',
      },
    });
    const batch = source?.batches.at(-1);
    expect(batch?.detail.prometheus?.time).toBeGreaterThan(1_600_000_000);
    expect(batch?.detail.prometheus?.canary?.total).toBeGreaterThan(0);
    expect(run.commands.filter((c) => c.command === 'group').map((c) => c.message)).toContain('Sampling (Prometheus)');
    expect(run.summary).toContain('<summary>Queries as sent</summary>');
  });

  it('aborts a canary whose counters show 5 % errors', async () => {
    const run = await gate({ ...queries('bad'), 'baseline-error-rate': '0.005', 'max-error-rate': '0.01' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(Number(run.outputs['error-rate'])).toBeGreaterThan(0.03);
    expect(run.annotations).toEqual([expect.objectContaining({ level: 'error', title: 'Canary gate: abort' })]);
  });

  it('fails closed when the errors query is empty from the start, and says how to fix the query', async () => {
    const run = await gate({
      'canary-errors-query': 'sum(http_requests_total{version="clean",code=~"5.."})',
      'canary-total-query': 'sum(http_requests_total{version="clean"})',
      'no-data-limit': '1',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'abort', samples: '0' });
    expect(run.outputs.explanation).toContain('canary-errors-query: the query returned no series');
    expect(run.outputs.explanation).toContain('or vector(0)');
    expect(run.outputs.explanation).toContain('No data counts as an abort and fails the step (no-data: fail).');
  });

  it('judges a canary against the live baseline from both versions\u2019 counters', async () => {
    const common = { 'baseline-error-rate': '0.01', 'max-error-rate': '0.05', ...queries('baseline', 'baseline') };
    const [regressed, same] = await Promise.all([
      gate({ ...queries('bad'), ...common }),
      gate({ ...queries('healthy'), ...common }),
    ]);
    expect(regressed.exitCode).toBe(1);
    expect(regressed.outputs.decision).toBe('abort');
    expect(regressed.outputs.explanation).toMatch(/^Abort: the canary had \d+ of the \d+ errors/);
    expect(Number(regressed.outputs['baseline-error-rate-observed'])).toBeGreaterThan(0.003);
    expect(Number(regressed.outputs['baseline-error-rate-observed'])).toBeLessThan(0.03);
    expect(same.exitCode).toBe(0);
    expect(same.outputs.decision).toBe('promote');
    expect(reportOf(same).sources[0]?.analysis).toBe('baseline');
  });

  it('samples HTTP and Prometheus together and promotes only when both do', async () => {
    const run = await gate({
      ...queries('healthy'),
      'canary-url': svc.healthy!.healthUrl,
      'requests-per-interval': '50',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('promote');
    expect(reportOf(run).sources.map((source) => source.kind)).toEqual(['http', 'prometheus']);
    expect(run.summary).toContain('#### HTTP: promote');
    expect(run.summary).toContain('#### Prometheus: promote');
  });

  it('stops at once when Prometheus rejects a query, naming the input', async () => {
    const run = await gate({
      'canary-errors-query': 'sum(rate(http_requests_total[1m]',
      'canary-total-query': 'sum(up)',
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'Configuration error for input "canary-errors-query"' }),
    ]);
    expect(run.annotations[0]?.message).toContain('was rejected by Prometheus');
  });

  it('treats an unreachable Prometheus as no data', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const run = await gate({
      ...queries('healthy'),
      'prometheus-url': `http://127.0.0.1:${port}`,
      'no-data-limit': '1',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(run.outputs.explanation).toMatch(/Prometheus could not be reached \(connect ECONNREFUSED/);
  });
});
