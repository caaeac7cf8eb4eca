import { describe, expect, it } from 'vitest';
import { DEFAULT_CANARY_POLICY, applyCanaryPolicy, parseCanaryPolicy } from '../src/index.js';
import type { CanaryPolicy } from '../src/index.js';

describe('applyCanaryPolicy', () => {
  it('fails closed by default', () => {
    expect(applyCanaryPolicy('promote')).toMatchObject({ decision: 'promote', stepFails: false });
    expect(applyCanaryPolicy('abort')).toMatchObject({ decision: 'abort', stepFails: true });
    expect(applyCanaryPolicy('inconclusive')).toMatchObject({ decision: 'inconclusive', stepFails: true });
    expect(applyCanaryPolicy('no-data')).toMatchObject({ decision: 'abort', stepFails: true });
  });

  it('reports an abort without failing the step when fail-on-abort is false', () => {
    const outcome = applyCanaryPolicy('abort', { ...DEFAULT_CANARY_POLICY, failOnAbort: false });
    expect(outcome).toMatchObject({ decision: 'abort', stepFails: false });
    expect(outcome.reason).toContain('fail-on-abort: false');
  });

  it('still fails the step on no data when fail-on-abort is false', () => {
    expect(applyCanaryPolicy('no-data', { ...DEFAULT_CANARY_POLICY, failOnAbort: false })).toMatchObject({
      decision: 'abort',
      stepFails: true,
    });
  });

  it.each<[CanaryPolicy, string, boolean]>([
    [{ noData: 'inconclusive', onInconclusive: 'fail', failOnAbort: true }, 'inconclusive', true],
    [{ noData: 'inconclusive', onInconclusive: 'pass', failOnAbort: true }, 'inconclusive', false],
    [{ noData: 'pass', onInconclusive: 'fail', failOnAbort: true }, 'promote', false],
  ])('maps no data under %o to %s (step fails: %s)', (policy, decision, stepFails) => {
    const outcome = applyCanaryPolicy('no-data', policy);
    expect(outcome).toMatchObject({ decision, stepFails });
    expect(outcome.reason).toContain(`no-data: ${policy.noData}`);
  });

  it('lets an inconclusive verdict pass with on-inconclusive: pass, keeping the decision', () => {
    const outcome = applyCanaryPolicy('inconclusive', { ...DEFAULT_CANARY_POLICY, onInconclusive: 'pass' });
    expect(outcome).toMatchObject({ decision: 'inconclusive', stepFails: false });
  });
});

describe('parseCanaryPolicy', () => {
  it('takes the defaults for empty inputs and accepts any case', () => {
    expect(parseCanaryPolicy({ noData: '', onInconclusive: '  ' })).toEqual(DEFAULT_CANARY_POLICY);
    expect(parseCanaryPolicy({ noData: 'Pass', onInconclusive: 'PASS', failOnAbort: false })).toEqual({
      noData: 'pass',
      onInconclusive: 'pass',
      failOnAbort: false,
    });
  });

  it('names the input and lists the choices', () => {
    expect(() => parseCanaryPolicy({ noData: 'ignore' })).toThrow(
      expect.objectContaining({ input: 'no-data', message: expect.stringContaining('fail, inconclusive, pass') }),
    );
    expect(() => parseCanaryPolicy({ onInconclusive: 'inconclusive' })).toThrow(
      expect.objectContaining({ input: 'on-inconclusive', message: expect.stringContaining('fail, pass') }),
    );
  });
});
