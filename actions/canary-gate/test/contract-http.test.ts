// Runner-contract tests of the committed bundle (dist/canary-gate/index.js, `npm run bundle -- canary-gate`)
// against real loopback services with seeded error rates.
import { afterAll, describe, expect, it } from 'vitest';
import { runBundle, startCanaryService } from '@hotfix-actions/testkit';
import type { BundleRun, CanaryService, CanaryServiceOptions } from '@hotfix-actions/testkit';

const services: CanaryService[] = [];
async function service(options: CanaryServiceOptions): Promise<CanaryService> {
  const svc = await startCanaryService(options);
  services.push(svc);
  return svc;
}
afterAll(async () => {
  await Promise.all(services.map((svc) => svc.stop()));
});

function gate(inputs: Record<string, string>): Promise<BundleRun> {
  return runBundle({ bundle: 'canary-gate', inputs });
}

interface Report {
  decision: string;
  verdict: string;
  sources: {
    kind: string;
    analysis: string;
    samples: number;
    errors: number;
    batches: {
      canary: { errors?: number; total?: number; noData?: string };
      detail: { http?: { canary: { reasons: Record<string, number> } } };
    }[];
    target: Record<string, unknown>;
  }[];
}
const reportOf = (run: BundleRun): Report => JSON.parse(run.outputs.report ?? '{}') as Report;

/** The worked example of the issue: p0 = 0.5 %, p1 = 1 %, α = β = 0.05 (boundaries ±2.944). */
const WORKED_EXAMPLE = { 'baseline-error-rate': '0.005', 'max-error-rate': '0.01' };
const FAST = { interval: '0s', 'requests-per-interval': '100', concurrency: '20' };

describe.concurrent('canary-gate over HTTP (committed bundle)', () => {
  it('promotes a healthy canary after the requests the SPRT needs, every one of them counted once', async () => {
    const svc = await service({ mode: 'healthy', errorRate: 0.002, seed: 11 });
    const run = await gate({ 'canary-url': svc.healthUrl, ...WORKED_EXAMPLE, ...FAST });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const { outputs } = run;
    expect(outputs.decision).toBe('promote');
    const samples = Number(outputs.samples);
    expect(samples).toBe(svc.requestCount('/health'));
    expect(samples).toBeGreaterThanOrEqual(500);
    expect(samples).toBeLessThan(3129);
    expect(Number(outputs['error-rate'])).toBeCloseTo(Number(outputs.errors) / samples, 5);
    expect(Number(outputs.llr)).toBeLessThanOrEqual(Math.log(0.05 / 0.95));
    expect(outputs['baseline-error-rate-observed']).toBe('');
    expect(outputs.explanation).toMatch(
      /^Promote: \d+ errors? in [\d,]+ requests .* past the promote boundary -2\.94 .*The canary passed: promote\.$/,
    );

    const report = reportOf(run);
    const [source] = report.sources;
    expect(source?.batches.reduce((sum, batch) => sum + (batch.canary.total ?? 0), 0)).toBe(samples);
    expect(source?.target).toMatchObject({
      canaryUrls: [svc.healthUrl],
      requestsPerInterval: 100,
      expectStatus: '200-399',
    });

    expect(run.annotations).toEqual([expect.objectContaining({ level: 'notice', title: 'Canary gate: promote' })]);
    expect(run.stdout).toContain(outputs.explanation);
    expect(run.summary).toContain('### ✅ Canary gate: promote');
    expect(run.summary).toContain('```mermaid\nxychart-beta');
    expect(run.commands.filter((c) => c.command === 'group').map((c) => c.message)).toEqual([
      'Configuration',
      'Sampling (HTTP)',
      'Verdict',
    ]);
  });

  it('aborts a bad canary early and fails the step for if: failure()', async () => {
    const svc = await service({ mode: 'bad', errorRate: 0.05, seed: 12 });
    const run = await gate({ 'canary-url': svc.healthUrl, ...WORKED_EXAMPLE, ...FAST });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(run.outputs.explanation).toMatch(
      /^Abort: .* past the abort boundary 2\.94 .*abort fails the step \(fail-on-abort: true\)\.$/,
    );
    // A 5 % canary is recognised long before the fixed-sample test's 3,129 requests.
    expect(svc.requestCount('/health')).toBeLessThanOrEqual(1000);
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'error', title: 'Canary gate: abort', message: run.outputs.explanation }),
    ]);
    expect(run.summary).toContain('### ❌ Canary gate: abort');
  });

  it('reports an abort without failing the step when fail-on-abort is false', async () => {
    const svc = await service({ mode: 'bad', errorRate: 0.3, seed: 13 });
    const run = await gate({ 'canary-url': svc.healthUrl, ...FAST, 'fail-on-abort': 'false' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('abort');
    expect(run.annotations.map((a) => a.level)).toEqual(['warning']);
  });

  it('aborts a flapping canary, whose good phases do not hide the bad ones', async () => {
    const svc = await service({ mode: 'flapping', errorRate: 0, flapErrorRate: 0.1, flapPeriod: 100, seed: 14 });
    const run = await gate({ 'canary-url': svc.healthUrl, ...WORKED_EXAMPLE, ...FAST });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(Number(run.outputs['error-rate'])).toBeGreaterThan(0.01);
  });

  it('counts answers slower than latency-threshold as failures', async () => {
    const svc = await service({ mode: 'slow', latencyMs: 120, seed: 15 });
    const run = await gate({
      'canary-url': svc.healthUrl,
      'latency-threshold': '40ms',
      interval: '0s',
      'requests-per-interval': '5',
      concurrency: '5',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(run.outputs.errors).toBe(run.outputs.samples);
    const [batch] = reportOf(run).sources[0]?.batches ?? [];
    expect(batch?.detail.http?.canary.reasons).toEqual({ 'slower than 40 ms': 5 });
  });

  it('fails closed on a dead canary: connection refused is no data, never a success', async () => {
    const svc = await service({ mode: 'dead' });
    const run = await gate({ 'canary-url': svc.healthUrl, interval: '0s', 'no-data-limit': '2' });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ decision: 'abort', samples: '0', errors: '0', 'error-rate': '' });
    expect(run.outputs.explanation).toMatch(
      /^No data: 3 measurements in a row returned nothing \(last: none of 10 requests was answered: \d+ × connect ECONNREFUSED .*\).* No data counts as an abort and fails the step \(no-data: fail\)\.$/,
    );
    const report = reportOf(run);
    expect(report.verdict).toBe('no-data');
    expect(report.sources[0]?.batches.every((batch) => batch.canary.noData !== undefined)).toBe(true);
    expect(run.annotations).toEqual([expect.objectContaining({ level: 'error', title: 'Canary gate: abort' })]);
  });

  it('lets a dead canary pass as inconclusive only when the user says so', async () => {
    const svc = await service({ mode: 'dead' });
    const run = await gate({
      'canary-url': svc.healthUrl,
      interval: '0s',
      'no-data-limit': '0',
      'no-data': 'inconclusive',
      'on-inconclusive': 'pass',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.decision).toBe('inconclusive');
    expect(run.annotations).toEqual([
      expect.objectContaining({ level: 'warning', title: 'Canary gate: inconclusive' }),
    ]);
  });

  it('is a health-check gate with analysis threshold: three clean rounds of three requests promote', async () => {
    const svc = await service({ mode: 'healthy', seed: 16 });
    const run = await gate({
      'canary-url': svc.healthUrl,
      analysis: 'threshold',
      'max-error-rate': '0',
      'requests-per-interval': '3',
      'consecutive-successes': '3',
      interval: '0s',
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ decision: 'promote', samples: '9', errors: '0', llr: '' });
    expect(svc.requestCount('/health')).toBe(9);
    expect(run.outputs.explanation).toBe(
      'Promote: 3 measurements in a row stayed at or below the maximum error rate 0 % (worst 0.00 %); ' +
        '0 errors in 9 requests (0.00 %) in all. The canary passed: promote.',
    );
    expect(run.summary).toContain('Error rate per interval (%)');
  });

  it('fails the same health check on the first failed round', async () => {
    const svc = await service({ mode: 'bad', errorRate: 0.5, seed: 17 });
    const run = await gate({
      'canary-url': svc.healthUrl,
      analysis: 'threshold',
      'max-error-rate': '0',
      'requests-per-interval': '3',
      'consecutive-successes': '3',
      interval: '0s',
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.decision).toBe('abort');
    expect(run.outputs.explanation).toMatch(/^Abort: 1 of \d+ measurements? exceeded the maximum error rate 0 %/);
  });

  it('checks the JSON body: a 200 that says "error" is a failure', async () => {
    const svc = await service({ mode: 'bad', errorRate: 0.3, errorStatus: 200, seed: 18 });
    const lenient = await gate({ 'canary-url': svc.healthUrl, ...FAST });
    expect(lenient.outputs.decision).toBe('promote');
    const strict = await gate({ 'canary-url': svc.healthUrl, ...FAST, 'json-path': 'status', 'json-expect': 'ok' });
    expect(strict.exitCode).toBe(1);
    expect(strict.outputs.decision).toBe('abort');
    const [batch] = reportOf(strict).sources[0]?.batches ?? [];
    expect(Object.keys(batch?.detail.http?.canary.reasons ?? {})).toEqual(['json status = "error"']);
  });

  it('judges the canary against a live baseline probed side by side', async () => {
    const [canary, baseline, twin] = await Promise.all([
      service({ mode: 'bad', errorRate: 0.1, seed: 19, version: 'v2' }),
      service({ mode: 'healthy', errorRate: 0.02, seed: 20, version: 'v1' }),
      service({ mode: 'healthy', errorRate: 0.02, seed: 21, version: 'v2' }),
    ]);
    const regressed = await gate({ 'canary-url': canary.healthUrl, 'baseline-url': baseline.healthUrl, ...FAST });
    expect(regressed.exitCode).toBe(1);
    expect(regressed.outputs.decision).toBe('abort');
    expect(regressed.outputs.explanation).toMatch(/^Abort: the canary had \d+ of the \d+ errors/);
    expect(Number(regressed.outputs['baseline-error-rate-observed'])).toBeLessThan(0.06);

    const same = await gate({ 'canary-url': twin.healthUrl, 'baseline-url': baseline.healthUrl, ...FAST });
    expect(same.exitCode).toBe(0);
    expect(same.outputs.decision).toBe('promote');
    expect(Number(same.outputs.samples)).toBe(twin.requestCount('/health'));
  });
});

describe.concurrent('canary-gate rejects bad input before any request (committed bundle)', () => {
  const prometheusOn = (svc: CanaryService) => ({
    'prometheus-url': svc.url,
    'canary-errors-query': 'sum(http_requests_total{code="500"}) or vector(0)',
    'canary-total-query': 'sum(http_requests_total)',
  });
  it.each<[string, (svc: CanaryService) => Record<string, string>, string]>([
    ['p0 ≥ p1', () => ({ 'baseline-error-rate': '0.02', 'max-error-rate': '0.01' }), 'max-error-rate'],
    ['alpha 0.7', () => ({ alpha: '0.7' }), 'alpha'],
    ['a bad URL', () => ({ 'canary-url': 'htp:/canary' }), 'canary-url'],
    ['an unknown analysis', () => ({ analysis: 'bayesian' }), 'analysis'],
    ['a bad status list', () => ({ 'expect-status': '200-abc' }), 'expect-status'],
    ['a Prometheus interval below 1s', (svc) => ({ ...prometheusOn(svc), interval: '200ms' }), 'interval'],
    ['a lone Prometheus query', (svc) => ({ ...prometheusOn(svc), 'canary-total-query': '' }), 'canary-total-query'],
  ])('%s: exit 1, one error naming the input, zero requests', async (_, inputsFor, input) => {
    // The service plays the canary and the Prometheus server: it counts every request on any path.
    const svc = await service({ mode: 'healthy' });
    const run = await gate({ 'canary-url': svc.healthUrl, ...inputsFor(svc) });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toHaveLength(1);
    const [annotation] = run.annotations;
    expect(annotation?.level).toBe('error');
    expect(annotation?.title).toBe(`Configuration error for input "${input}"`);
    expect(annotation?.message).toContain(`"${input}"`);
    expect(svc.requestCount()).toBe(0);
    expect(run.outputs).toEqual({});
  });
});
