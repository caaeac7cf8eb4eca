import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { PROMETHEUS_INSTALL_COMMAND, prometheusConfigYaml, startCanaryService, startPrometheus } from '../src/index.js';
import type { CanaryService, PrometheusServer } from '../src/index.js';

describe('prometheusConfigYaml', () => {
  it('scrapes the targets at the interval, with a timeout that fits in it', () => {
    const config = parse(prometheusConfigYaml({ scrapeTargets: ['127.0.0.1:8080', '127.0.0.1:8081'] }));
    expect(config).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [{ job_name: 'canary', static_configs: [{ targets: ['127.0.0.1:8080', '127.0.0.1:8081'] }] }],
    });
  });
});

describe('startPrometheus', () => {
  it('names the install command when the binary is missing', async () => {
    vi.stubEnv('PROMETHEUS_BINARY', '/nonexistent/prometheus');
    try {
      await expect(startPrometheus({ scrapeTargets: ['127.0.0.1:9'] })).rejects.toThrow(PROMETHEUS_INSTALL_COMMAND);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  describe('with a real server scraping a canary service', () => {
    let svc: CanaryService;
    let prometheus: PrometheusServer;

    beforeAll(async () => {
      svc = await startCanaryService({ errorRate: 0.2, traffic: 1000, version: 'v7', seed: 5 });
      prometheus = await startPrometheus({ scrapeTargets: [svc.target] });
    });
    afterAll(async () => {
      await prometheus?.stop();
      await svc?.stop();
    });

    it('is ready with a first scrape done, and answers instant queries', async () => {
      const up = await prometheus.query('up');
      expect(up).toEqual([{ metric: { __name__: 'up', instance: svc.target, job: 'canary' }, value: 1 }]);
      const [total] = await prometheus.query('sum(http_requests_total{version="v7"})');
      expect(total?.value).toBeGreaterThan(0);
      expect(await prometheus.query('sum(http_requests_total{version="nope"})')).toEqual([]);
    });

    it('sees the counters grow from scrape to scrape and drop after a reset', async () => {
      const read = async () => (await prometheus.query('sum(http_requests_total)'))[0]?.value ?? 0;
      const before = await read();
      await prometheus.waitForScrape();
      const after = await read();
      expect(after).toBeGreaterThan(before);
      svc.resetCounters();
      await prometheus.waitForScrape();
      expect(await read()).toBeLessThan(after);
    });
  });
});
