import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertNoViolations, type GitHubStandIn, type GitSandbox } from '@hotfix-actions/testkit';
import { startFaultProxy } from '@hotfix-actions/testkit';
import { runFinish, runPlan, seedDeployment, standIn, statesOf, taggedRepo } from './support.js';

// Runner-contract tests of the committed bundle dist/rollback/index.js, phase by phase, against the
// GitHub API stand-in (whose git data is a real bare repository) with deployment histories seeded
// through the API. The composite as a whole is tested in composite.test.ts.

let sandbox: GitSandbox | undefined;
let api: GitHubStandIn | undefined;

afterEach(async () => {
  if (api) {
    assertNoViolations(api);
    await api.close();
  }
  await sandbox?.cleanup();
  api = undefined;
  sandbox = undefined;
});

async function setup() {
  const repo = await taggedRepo();
  sandbox = repo.sandbox;
  api = await standIn(sandbox);
  return { api, shas: repo.shas };
}

function rollbackDeployments(stand: GitHubStandIn) {
  return stand.state.deployments.filter((one) => one.task === 'rollback');
}

describe('choosing the version', () => {
  it('goes back to the last version verified good, not merely the previous tag', async () => {
    const { api, shas } = await setup();
    const d130 = await seedDeployment(api, 'v1.3.0', ['in_progress', 'success']);
    const d140 = await seedDeployment(api, 'v1.4.0', ['in_progress', 'success']);
    // v1.5.0 never made it: its deploy failed, so it is the previous tag but not verified good.
    const d150 = await seedDeployment(api, 'v1.5.0', ['in_progress', 'failure']);
    const d151 = await seedDeployment(api, 'v1.5.1', ['in_progress', 'success']);
    api.clearRequests();

    const plan = await runPlan(api, {});
    expect(plan.stderr).toBe('');
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({
      action: 'deploy',
      'from-version': '1.5.1',
      'from-tag': 'v1.5.1',
      'to-version': '1.4.0',
      'to-tag': 'v1.4.0',
      'to-sha': shas['v1.4.0'],
      'escalation-tag': 'v1.3.0',
    });
    const [created] = rollbackDeployments(api);
    expect(created).toMatchObject({
      ref: 'v1.4.0',
      sha: shas['v1.4.0'],
      environment: 'production',
      transientEnvironment: false,
      productionEnvironment: true,
    });
    expect(created!.payload).toMatchObject({ tag: 'v1.4.0', version: '1.4.0', rollback_of: d151, from_tag: 'v1.5.1' });
    expect(plan.outputs['deployment-id']).toBe(String(created!.id));
    const body = api.requests.find((r) => r.operationId === 'repos/create-deployment')?.body;
    expect(body).toMatchObject({ task: 'rollback', auto_merge: false, required_contexts: [] });
    expect(statesOf(api, created!.id)).toEqual(['in_progress']);
    expect(statesOf(api, d151)).toEqual(['in_progress', 'success', 'failure']);
    expect(statesOf(api, d150)).toEqual(['in_progress', 'failure']);
    expect(statesOf(api, d140)).toEqual(['in_progress', 'success']);
    expect(statesOf(api, d130)).toEqual(['in_progress', 'success']);

    const finish = await runFinish(api, plan, { deploy: 'success' });
    expect(finish.exitCode, finish.stdout).toBe(0);
    expect(finish.outputs).toMatchObject({
      outcome: 'rolled-back',
      'to-tag': 'v1.4.0',
      'from-tag': 'v1.5.1',
      'deployment-id': String(created!.id),
    });
    expect(statesOf(api, created!.id)).toEqual(['in_progress', 'success']);
    const success = api.requests.filter((r) => r.operationId === 'repos/create-deployment-status').at(-1);
    expect(success?.body).toMatchObject({ state: 'success', auto_inactive: true });
    expect(finish.summary).toContain('Rolled back production: v1.5.1 → v1.4.0');
    expect(finish.summary).toContain('last version verified good in production');
    expect(finish.summary).toContain('mode: revert');
    expect(finish.summary).toContain('```mermaid');
  });

  it('counts a success that auto_inactive later marked inactive as verified (non-production environments)', async () => {
    const { api } = await setup();
    const staging = { environment: 'staging' };
    const d140 = await seedDeployment(api, 'v1.4.0', ['success'], staging);
    const d150 = await seedDeployment(api, 'v1.5.0', ['success'], staging);
    await seedDeployment(api, 'v1.5.1', ['success'], staging);
    // GitHub (and the stand-in) inactivated the older successes of the non-production environment.
    expect(statesOf(api, d140)).toEqual(['success', 'inactive']);
    expect(statesOf(api, d150)).toEqual(['success', 'inactive']);
    const plan = await runPlan(api, { environment: 'staging' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ 'to-tag': 'v1.5.0', 'escalation-tag': 'v1.4.0' });
    expect(rollbackDeployments(api)[0]).toMatchObject({ environment: 'staging', productionEnvironment: false });
  });

  it('an explicit `to` wins over the history', async () => {
    const { api, shas } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const plan = await runPlan(api, { to: '1.3.0' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ 'to-tag': 'v1.3.0', 'to-sha': shas['v1.3.0'], 'from-tag': 'v1.5.1' });
    expect(JSON.parse(plan.outputs.plan!).to.source).toBe('explicit');
  });

  it('never takes a version listed in `skip`', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.3.0', ['success']);
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const plan = await runPlan(api, { skip: 'v1.4.0, v1.3.9' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs['to-tag']).toBe('v1.3.0');
  });

  it('falls back to the previous tag of the line when no deployment was verified good, and says so', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.5.1', ['in_progress', 'failure']);
    const plan = await runPlan(api, {});
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ 'to-tag': 'v1.5.0', 'escalation-tag': 'v1.4.0', 'from-tag': 'v1.5.1' });
    const finish = await runFinish(api, plan, { deploy: 'success' });
    expect(finish.summary).toContain('previous tag: no older deployment was verified good');
  });

  it('is already there on a re-run after success: zero mutations', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const first = await runPlan(api, {});
    await runFinish(api, first, { deploy: 'success' });
    const before = api.mutations();
    const again = await runPlan(api, {});
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({
      action: 'already-there',
      'to-tag': 'v1.4.0',
      'from-tag': 'v1.5.1',
      'deployment-id': first.outputs['deployment-id'],
    });
    const finish = await runFinish(api, again);
    expect(finish.exitCode).toBe(0);
    expect(finish.outputs.outcome).toBe('already-there');
    expect(finish.summary).toContain('production already runs v1.4.0');
    expect(api.mutations()).toBe(before);
    expect(rollbackDeployments(api)).toHaveLength(1);
  });

  it('a re-run after a failed rollback tries the same version again; escalate goes past it', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.3.0', ['success']);
    await seedDeployment(api, 'v1.4.0', ['success']);
    const d151 = await seedDeployment(api, 'v1.5.1', ['success']);
    const first = await runPlan(api, {});
    const failed = await runFinish(api, first, { deploy: 'failure' });
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs.outcome).toBe('failed');
    const error = failed.annotations.find((a) => a.level === 'error');
    expect(error?.title).toBe('Rollback failed');
    expect(error?.message).toContain('escalate to v1.3.0');
    expect(failed.summary).toContain('Rollback of production to v1.4.0 failed');
    expect(failed.summary).toContain('`escalate: true`');
    expect(failed.summary).toContain('goes to v1.3.0, the version before v1.4.0');

    const retry = await runPlan(api, {});
    expect(retry.outputs).toMatchObject({ action: 'deploy', 'to-tag': 'v1.4.0', 'from-tag': 'v1.5.1' });
    expect(JSON.parse(retry.outputs.plan!).from.deploymentId).toBe(d151);
    await runFinish(api, retry, { deploy: 'failure' });

    const escalated = await runPlan(api, { escalate: 'true' });
    expect(escalated.outputs).toMatchObject({ action: 'deploy', 'from-tag': 'v1.4.0', 'to-tag': 'v1.3.0' });
  });

  it('makes one rollback deployment when the answer to creating it is lost after the write', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    const d151 = await seedDeployment(api, 'v1.5.1', ['success']);
    // The plan's first write is the create: GitHub carries it out, the connection drops before the answer.
    const proxy = await startFaultProxy(api.url, { kind: 'lost-answer', write: 1 });
    try {
      const plan = await runPlan(api, {}, { env: { GITHUB_API_URL: proxy.url } });
      expect(proxy.lost).toBe(1);
      expect(plan.exitCode, plan.stdout).toBe(0);
      const made = rollbackDeployments(api);
      expect(made).toHaveLength(1);
      expect(plan.outputs['deployment-id']).toBe(String(made[0]!.id));
      expect(made[0]!.payload).toMatchObject({ rollback_key: '1658821493/1/harness/v1.4.0' });
      expect(statesOf(api, made[0]!.id)).toEqual(['in_progress']);
      expect(statesOf(api, d151)).toEqual(['success', 'failure']);
      const finish = await runFinish(api, plan, { deploy: 'success' });
      expect(finish.exitCode, finish.stdout).toBe(0);
      expect(statesOf(api, made[0]!.id)).toEqual(['in_progress', 'success']);
    } finally {
      await proxy.close();
    }
  });

  it('a re-run of the same job attempt takes up the deployment it made before the statuses went down', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    const d151 = await seedDeployment(api, 'v1.5.1', ['success']);
    const outage = api.faults.inject({
      match: { operationId: 'repos/create-deployment-status' },
      kind: 'status',
      status: 503,
      times: Infinity,
    });
    const failed = await runPlan(api, {});
    expect(failed.exitCode).toBe(1);
    expect(rollbackDeployments(api)).toHaveLength(1);
    outage.cancel();

    const again = await runPlan(api, {});
    expect(again.exitCode, again.stdout).toBe(0);
    const made = rollbackDeployments(api);
    expect(made).toHaveLength(1);
    expect(again.outputs['deployment-id']).toBe(String(made[0]!.id));
    expect(statesOf(api, made[0]!.id)).toEqual(['in_progress']);
    expect(statesOf(api, d151)).toEqual(['success', 'failure']);
  });

  it('sets the outputs and says so in the summary when the final status cannot be written', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const plan = await runPlan(api, {});
    api.faults.inject({ match: { operationId: 'repos/create-deployment-status' }, kind: 'status', times: Infinity });
    const finish = await runFinish(api, plan, { deploy: 'success' });
    expect(finish.exitCode).toBe(1);
    expect(finish.outputs).toMatchObject({ outcome: 'rolled-back', 'to-tag': 'v1.4.0' });
    expect(finish.summary).toContain('its final status could not be written');
    expect(finish.annotations.filter((a) => a.level === 'error')[0]?.title).toBe('GitHub API error 500');
  });

  it('dry-run plans and changes nothing', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    api.clearRequests();
    const plan = await runPlan(api, { 'dry-run': 'true', 'deploy-command': '' });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ action: 'dry-run', 'to-tag': 'v1.4.0', 'deployment-id': '' });
    const finish = await runFinish(api, plan);
    expect(finish.outputs.outcome).toBe('dry-run');
    expect(finish.summary).toContain('Dry run: would roll production back from v1.5.1 to v1.4.0');
    expect(api.mutations()).toBe(0);
  });
});

describe('mode revert (scenario 2)', () => {
  it('reverts the release merge with -m 1, tags v1.5.2 on it, deploys that; a re-run changes nothing', async () => {
    const repo = await taggedRepo();
    sandbox = repo.sandbox;
    const s = sandbox;
    // v1.5.1 was released by merging release/v1.5.1 into main: a merge commit, tagged.
    await s.commit({ 'feature.txt': 'broken\n', 'app.txt': '1.5.1-broken\n' }, 'feat: risky', {
      branch: 'release/v1.5.1',
      from: 'v1.5.0',
    });
    await s.checkout('main');
    await s.git(['reset', '--hard', 'v1.5.0']);
    await s.git(['merge', '--no-ff', '-m', 'Merge pull request #42 from user/release/v1.5.1', 'release/v1.5.1']);
    await s.git(['tag', '-d', 'v1.5.1']);
    await s.tag('v1.5.1', { message: 'Release v1.5.1' });
    const merge = await s.revParse('HEAD');
    await s.git(['push', '--force', 'origin', 'main', '+refs/tags/v1.5.1:refs/tags/v1.5.1']);
    api = await standIn(s);
    const d150 = await seedDeployment(api, 'v1.5.0', ['success']);
    const d151 = await seedDeployment(api, 'v1.5.1', ['success', 'failure']);
    // Production was already rolled back to v1.5.0 (scenario 1).
    await seedDeployment(api, 'v1.5.0', ['success'], { task: 'rollback', payload: { rollback_of: d151 } });
    const workspace = await s.clone({ branch: 'main' });

    const plan = await runPlan(api, { mode: 'revert' }, { workspace });
    expect(plan.stderr).toBe('');
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({
      action: 'deploy',
      'from-tag': 'v1.5.1',
      'to-tag': 'v1.5.2',
      'to-version': '1.5.2',
      'escalation-tag': 'v1.5.0',
    });
    const revertSha = await s.git(['rev-parse', 'refs/heads/main'], s.origin);
    expect(plan.outputs['to-sha']).toBe(revertSha);
    // The revert commit: child of the merge, same tree as v1.5.0, tagged v1.5.2 (annotated).
    expect(await s.git(['rev-parse', `${revertSha}^`], s.origin)).toBe(merge);
    expect(await s.git(['rev-parse', `${revertSha}^{tree}`], s.origin)).toBe(
      await s.git(['rev-parse', 'v1.5.0^{tree}'], s.origin),
    );
    expect(await s.git(['rev-parse', 'v1.5.2^{commit}'], s.origin)).toBe(revertSha);
    expect(await s.git(['cat-file', '-p', 'v1.5.2'], s.origin)).toContain('Rollback-of: v1.5.1');
    expect(await s.git(['log', '-1', '--format=%B', revertSha], s.origin)).toContain(`This reverts commit ${merge}`);
    const [, created] = rollbackDeployments(api);
    expect(created).toMatchObject({ ref: 'v1.5.2', sha: revertSha });
    // The failing deployment was already marked failed: not marked again.
    expect(statesOf(api, d151)).toEqual(['success', 'failure']);
    expect(statesOf(api, d150)).toEqual(['success']);

    const finish = await runFinish(api, plan, { deploy: 'success' });
    expect(finish.outputs).toMatchObject({ outcome: 'rolled-back', 'revert-sha': revertSha, 'to-tag': 'v1.5.2' });
    expect(finish.summary).toContain('new patch tag on the revert');

    const before = api.mutations();
    const again = await runPlan(api, { mode: 'revert' }, { workspace });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(again.outputs).toMatchObject({ action: 'already-there', 'to-tag': 'v1.5.2', 'to-sha': revertSha });
    expect(api.mutations()).toBe(before);
    expect(await s.git(['rev-parse', 'refs/heads/main'], s.origin)).toBe(revertSha);
    expect(await s.git(['tag', '--list', 'v1.5.*'], s.origin)).toBe('v1.5.0\nv1.5.1\nv1.5.2');
  });

  it('dry-run says which tag it would make and changes nothing', async () => {
    const { api } = await setup();
    const d151 = await seedDeployment(api, 'v1.5.1', ['success']);
    const workspace = await sandbox!.clone({ branch: 'main' });
    const head = await sandbox!.git(['rev-parse', 'refs/heads/main'], sandbox!.origin);
    api.clearRequests();
    const plan = await runPlan(api, { mode: 'revert', 'dry-run': 'true' }, { workspace });
    expect(plan.exitCode, plan.stdout).toBe(0);
    expect(plan.outputs).toMatchObject({ action: 'dry-run', 'to-tag': 'v1.5.2', 'to-sha': '' });
    expect(api.mutations()).toBe(0);
    expect(statesOf(api, d151)).toEqual(['success']);
    expect(await sandbox!.git(['rev-parse', 'refs/heads/main'], sandbox!.origin)).toBe(head);
    expect(await sandbox!.git(['tag', '--list', 'v1.5.2'], sandbox!.origin)).toBe('');
  });
});

describe('bad input', () => {
  const sentinel = join(tmpdir(), `hotfix-rollback-sentinel-${process.pid}`);
  const cases: [string, Record<string, string>, RegExp][] = [
    ['missing deploy-command', { 'deploy-command': '' }, /Input "deploy-command" is required/],
    ['hostile environment', { environment: 'prod\n::error::x' }, /Input "environment"/],
    ['to is not a version', { to: `v1.4.0;touch ${sentinel}` }, /Input "to"/],
    ['to does not exist', { to: 'v9.9.9' }, /Input "to" is v9\.9\.9, but acme\/shop has no such tag/],
    ['to is the failing version', { to: 'v1.5.1' }, /the failing version itself/],
    ['to is skipped', { to: 'v1.4.0', skip: 'v1.4.0' }, /Input "to" names v1\.4\.0, which input "skip" lists/],
    ['bad skip item', { skip: '$(touch x)' }, /Input "skip"/],
    ['bad mode', { mode: 'yolo' }, /Input "mode"/],
    ['revert with to', { mode: 'revert', to: 'v1.4.0' }, /Input "to" cannot be used with mode "revert"/],
    ['bad ticket', { ticket: 'bd a1b2' }, /Input "ticket"/],
    ['bad health-url', { 'health-url': 'ftp://example.com' }, /Input "health-url"/],
    ['bad health-interval', { 'health-interval': 'soon' }, /Input "health-interval"/],
    ['bad branch', { mode: 'revert', branch: `main;touch ${sentinel}` }, /Input "branch"/],
    ['unknown deployment', { 'from-deployment': '42' }, /no deployment with that id/],
  ];
  // Nothing may change in these cases, so one repository and stand-in serve them all.
  let shared: { sandbox: GitSandbox; api: GitHubStandIn } | undefined;
  beforeAll(async () => {
    const repo = await taggedRepo();
    const stand = await standIn(repo.sandbox);
    await seedDeployment(stand, 'v1.4.0', ['success']);
    await seedDeployment(stand, 'v1.5.1', ['success']);
    shared = { sandbox: repo.sandbox, api: stand };
  });
  afterAll(async () => {
    if (shared) assertNoViolations(shared.api);
    await shared?.api.close();
    await shared?.sandbox.cleanup();
  });

  it.each(cases)('%s: one error naming the input, nothing created, nothing executed', async (_name, inputs, re) => {
    const { api } = shared!;
    const before = api.mutations();
    const plan = await runPlan(api, inputs);
    expect(plan.exitCode).toBe(1);
    const errors = plan.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(re);
    expect(errors[0]!.title).toMatch(/Configuration error/);
    expect(api.mutations()).toBe(before);
    expect(existsSync(sentinel)).toBe(false);
    // The finish step still runs (if: always()) and reports failed without touching anything.
    const finish = await runFinish(api, plan);
    expect(finish.exitCode).toBe(0);
    expect(finish.outputs.outcome).toBe('failed');
    expect(api.mutations()).toBe(before);
  });

  it('refuses to run outside action.yml', async () => {
    const { api } = shared!;
    const run = await runPlan(api, {}, { env: { ROLLBACK_PHASE: '' } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]!.message).toContain('ROLLBACK_PHASE');
  });
});

describe('the deploy command is never evaluated by the bundle', () => {
  it('fuzzed hostile commands pass through plan and finish without running', async () => {
    const { api } = await setup();
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-rollback-fuzz-'));
    const sentinel = join(dir, 'sentinel');
    const fragment = fc.constantFrom(
      `$(touch ${sentinel})`,
      `\`touch ${sentinel}\``,
      `; touch ${sentinel}`,
      `&& touch ${sentinel}`,
      `| touch ${sentinel}`,
      `\ntouch ${sentinel}\n`,
      `\${IFS}touch\${IFS}${sentinel}`,
      `' ; touch ${sentinel} ; '`,
      `" ; touch ${sentinel} ; "`,
      `%0Atouch ${sentinel}`,
      `::set-output name=action::deploy`,
      `require('child_process').execSync('touch ${sentinel}')`,
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 4 }), fc.string(), async (parts, noise) => {
          const command = `echo deploy${noise}${parts.join('')}`;
          const plan = await runPlan(api, { 'deploy-command': command, 'dry-run': 'true' });
          expect(plan.exitCode, plan.stdout).toBe(0);
          expect(plan.outputs.action).toBe('dry-run');
          // The plan never repeats the command: it only checked that there is one.
          expect(plan.outputs.plan).not.toContain(sentinel);
          const finish = await runFinish(api, plan, {}, { 'deploy-command': command });
          expect(finish.exitCode).toBe(0);
          expect(existsSync(sentinel)).toBe(false);
        }),
        { numRuns: 5, seed: 20260 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
