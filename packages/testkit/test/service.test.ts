import { afterEach, describe, expect, it } from 'vitest';
import { startCanaryService } from '../src/index.js';
import type { CanaryService } from '../src/index.js';

const started: CanaryService[] = [];
async function service(options: Parameters<typeof startCanaryService>[0]): Promise<CanaryService> {
  const svc = await startCanaryService(options);
  started.push(svc);
  return svc;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((svc) => svc.stop()));
});

async function statuses(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(url);
    await response.arrayBuffer();
    out.push(response.status);
  }
  return out;
}

describe('startCanaryService', () => {
  it('answers /health by a seeded Bernoulli: the same seed gives the same answers', async () => {
    const a = await service({ mode: 'bad', errorRate: 0.3, seed: 42 });
    const b = await service({ mode: 'bad', errorRate: 0.3, seed: 42 });
    const c = await service({ mode: 'bad', errorRate: 0.3, seed: 43 });
    const [sa, sb, sc] = await Promise.all([
      statuses(a.healthUrl, 60),
      statuses(b.healthUrl, 60),
      statuses(c.healthUrl, 60),
    ]);
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    const errors = sa.filter((status) => status === 500).length;
    expect(errors).toBeGreaterThan(5);
    expect(errors).toBeLessThan(35);
    expect(a.counts()).toEqual({ total: 60, errors });
    expect(a.requestCount('/health')).toBe(60);
  });

  it('exposes cumulative counters in the Prometheus text format, a series only once it was counted', async () => {
    const svc = await service({ errorRate: 0, version: 'v2' });
    await statuses(svc.healthUrl, 3);
    const page = await (await fetch(svc.metricsUrl)).text();
    expect(page).toContain('# TYPE http_requests_total counter');
    expect(page).toContain('http_requests_total{code="200",version="v2"} 3');
    expect(page).not.toContain('code="500"');
    svc.setErrorRate(1);
    await statuses(svc.healthUrl, 2);
    expect(svc.metrics()).toContain('http_requests_total{code="500",version="v2"} 2');
    expect(svc.requestCount('/metrics')).toBe(1);
    expect(svc.requestCount()).toBe(6);
  });

  it('resets its counters like a restarted process, without forgetting the requests it received', async () => {
    const svc = await service({ errorRate: 0.5, seed: 3 });
    await statuses(svc.healthUrl, 10);
    svc.resetCounters();
    expect(svc.counts()).toEqual({ total: 0, errors: 0 });
    expect(svc.metrics()).not.toContain('http_requests_total{');
    await statuses(svc.healthUrl, 1);
    expect(svc.counts().total).toBe(1);
    expect(svc.requestCount('/health')).toBe(11);
  });

  it('flaps between good and bad phases', async () => {
    const svc = await service({ mode: 'flapping', errorRate: 0, flapErrorRate: 1, flapPeriod: 5 });
    expect(await statuses(svc.healthUrl, 15)).toEqual([
      ...Array(5).fill(200),
      ...Array(5).fill(500),
      ...Array(5).fill(200),
    ]);
  });

  it('is slow in slow mode, and a 200 that says error with errorStatus 200', async () => {
    const svc = await service({ mode: 'slow', latencyMs: 120, errorRate: 1, errorStatus: 200 });
    const before = performance.now();
    const response = await fetch(svc.healthUrl);
    expect(performance.now() - before).toBeGreaterThanOrEqual(100);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'error', version: 'v1' });
  });

  it('refuses connections when dead and listens on the same port again when revived', async () => {
    const svc = await service({ mode: 'dead' });
    await expect(fetch(svc.healthUrl)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    await svc.setMode('healthy');
    expect((await fetch(svc.healthUrl)).status).toBe(200);
    await svc.setMode('dead');
    await expect(fetch(svc.healthUrl)).rejects.toThrow();
    expect(svc.mode).toBe('dead');
  });

  it('counts synthetic traffic without HTTP', async () => {
    const svc = await service({ errorRate: 0.1, traffic: 2000, seed: 9 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const { total, errors } = svc.counts();
    expect(total).toBeGreaterThanOrEqual(400);
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThan(total / 4);
    expect(svc.requestCount()).toBe(0);
    svc.setTraffic(0);
    const frozen = svc.counts().total;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(svc.counts().total).toBe(frozen);
  });

  it('rejects impossible error rates', async () => {
    await expect(startCanaryService({ errorRate: 1.5 })).rejects.toThrow(/errorRate/);
  });
});
