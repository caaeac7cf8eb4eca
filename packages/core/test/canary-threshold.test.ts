import { describe, expect, it } from 'vitest';
import {
  resolveThresholdConfig,
  thresholdFinish,
  thresholdStart,
  thresholdUpdate,
  thresholdVerdict,
} from '../src/index.js';
import type { CanaryMeasurement } from '../src/index.js';

const good: CanaryMeasurement = { errors: 2, total: 500 };
const bad: CanaryMeasurement = { errors: 9, total: 500 };
const silent: CanaryMeasurement = { noData: 'connect ECONNREFUSED 127.0.0.1:8080' };

describe('threshold rule (Argo-style)', () => {
  it('has Argo’s defaults: failure limit 0, inconclusive limit 0, 4 no-data measurements tolerated', () => {
    expect(resolveThresholdConfig({ maxErrorRate: 0.01 })).toEqual({
      maxErrorRate: 0.01,
      failureLimit: 0,
      consecutiveSuccesses: 5,
      inconclusiveLimit: 0,
      noDataLimit: 4,
      minRequests: 1,
    });
  });

  it('aborts on the first failure with failure limit 0', () => {
    const state = thresholdVerdict({ maxErrorRate: 0.01 }, [good, bad, good]);
    expect(state).toMatchObject({ status: 'abort', stop: 'failure-limit', failures: 1, measurements: 2 });
    expect(state.worstRate).toBeCloseTo(0.018, 12);
  });

  it('counts a rate equal to the maximum as a success (only “above” fails)', () => {
    const state = thresholdUpdate(thresholdStart({ maxErrorRate: 0.01 }), { errors: 5, total: 500 });
    expect(state).toMatchObject({ successes: 1, failures: 0 });
  });

  it('promotes after the required successes in a row; a failure restarts the run', () => {
    const config = { maxErrorRate: 0.01, failureLimit: 1, consecutiveSuccesses: 3 };
    expect(thresholdVerdict(config, [good, good, bad, good, good]).status).toBe('inconclusive');
    const state = thresholdVerdict(config, [good, good, bad, good, good, good]);
    expect(state).toMatchObject({ status: 'promote', stop: 'consecutive-successes', failures: 1, successes: 5 });
    expect(thresholdVerdict(config, [bad, good, bad]).status).toBe('abort');
  });

  it('aborts when failures exceed the limit, not when they reach it', () => {
    const config = { maxErrorRate: 0.01, failureLimit: 2, consecutiveSuccesses: 10 };
    expect(thresholdVerdict(config, [bad, good, bad]).status).toBe('inconclusive');
    expect(thresholdVerdict(config, [bad, good, bad, bad]).status).toBe('abort');
  });

  it('never counts no data as a success, and stops with no-data after more than the limit in a row', () => {
    const state = thresholdVerdict({ maxErrorRate: 0.01, consecutiveSuccesses: 2 }, [
      good,
      silent,
      silent,
      silent,
      silent,
      silent,
    ]);
    expect(state).toMatchObject({ status: 'no-data', stop: 'no-data-limit', noData: 5, successes: 1 });
    expect(state.lastNoData).toContain('ECONNREFUSED');
    const recovered = thresholdVerdict({ maxErrorRate: 0.01, consecutiveSuccesses: 2 }, [
      good,
      silent,
      silent,
      silent,
      silent,
      good,
    ]);
    expect(recovered).toMatchObject({ status: 'promote', noData: 4 });
  });

  it('calls measurements with too few requests inconclusive, up to the inconclusive limit', () => {
    expect(thresholdVerdict({ maxErrorRate: 0.01 }, [{ errors: 0, total: 0 }])).toMatchObject({
      status: 'inconclusive',
      stop: 'inconclusive-limit',
    });
    const tolerant = { maxErrorRate: 0.01, inconclusiveLimit: 1, minRequests: 100, consecutiveSuccesses: 1 };
    expect(thresholdVerdict(tolerant, [{ errors: 0, total: 50 }, good])).toMatchObject({
      status: 'promote',
      inconclusive: 1,
    });
  });

  it('finishes undecided runs as inconclusive, or no-data when nothing was counted', () => {
    expect(thresholdVerdict({ maxErrorRate: 0.01 }, [good, good])).toMatchObject({
      status: 'inconclusive',
      stop: 'time-limit',
    });
    expect(thresholdVerdict({ maxErrorRate: 0.01 }, [silent])).toMatchObject({ status: 'no-data', stop: 'time-limit' });
    expect(thresholdFinish(thresholdStart({ maxErrorRate: 0.01 })).status).toBe('no-data');
  });

  it('accepts a zero maximum (any error fails)', () => {
    expect(thresholdVerdict({ maxErrorRate: 0 }, [{ errors: 1, total: 10_000 }]).status).toBe('abort');
  });

  it.each([
    [{ maxErrorRate: 1 }, 'max-error-rate'],
    [{ maxErrorRate: -0.01 }, 'max-error-rate'],
    [{ maxErrorRate: Number.NaN }, 'max-error-rate'],
    [{ maxErrorRate: 0.01, failureLimit: -1 }, 'failure-limit'],
    [{ maxErrorRate: 0.01, failureLimit: 0.5 }, 'failure-limit'],
    [{ maxErrorRate: 0.01, consecutiveSuccesses: 0 }, 'consecutive-successes'],
    [{ maxErrorRate: 0.01, inconclusiveLimit: -2 }, 'inconclusive-limit'],
    [{ maxErrorRate: 0.01, noDataLimit: 1.5 }, 'no-data-limit'],
    [{ maxErrorRate: 0.01, minRequests: 0 }, 'min-requests'],
  ])('rejects %o naming the input %s', (config, input) => {
    expect(() => thresholdStart(config)).toThrow(expect.objectContaining({ name: 'ConfigurationError', input }));
  });
});
