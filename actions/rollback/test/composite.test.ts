import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOperationTraceWriter } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  assertNoViolations,
  beadsIssueOf,
  gitShowBytes,
  readBeadsFixture,
  seedBeadsRepo,
  type GitHubStandIn,
  type GitSandbox,
} from '@hotfix-actions/testkit';
import {
  COMPOSITE_REPO_ROOT as REPO_ROOT,
  ROLLBACK_ACTION_DIR as ACTION_DIR,
  evaluateCompositeExpression as evaluateExpression,
  readActionYml,
  runComposite,
} from '@hotfix-actions/testkit';
import { seedDeployment, standIn, statesOf, taggedRepo } from './support.js';

// The composite action end to end: action.yml's steps run in order as the runner runs them (see
// composite.ts), calling the committed bundles of rollback, canary-gate and beads-sync by path.

const actionYmlText = readFileSync(join(ACTION_DIR, 'action.yml'), 'utf8');

describe('action.yml', () => {
  it("is a composite action GitHub's own action parser accepts", () => {
    const parsed = parseAction({ name: 'action.yml', content: actionYmlText }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((error) => error.message)).toEqual([]);
    const template = convertActionTemplate(parsed.context, parsed.value!);
    expect(template.runs.using).toBe('composite');
  });

  it('has no ${{ }} inside any run: (S1) and reaches code only through $GITHUB_ACTION_PATH', async () => {
    const action = await readActionYml();
    const runs = action.runs.steps.map((step) => step.run ?? '');
    for (const run of runs) expect(run).not.toContain('${{');
    expect(action.runs.steps.every((step) => step.uses === undefined)).toBe(true);
    expect(actionYmlText).not.toMatch(/github\.action_path/);
    const bundles = runs.flatMap((run) => [
      ...run.matchAll(/node "\$GITHUB_ACTION_PATH\/\.\.\/\.\.\/dist\/([a-z-]+)\/index\.js"/g),
    ]);
    expect(bundles.map((match) => match[1]).sort()).toEqual(['beads-sync', 'canary-gate', 'rollback', 'rollback']);
    for (const [, name] of bundles) expect(existsSync(join(REPO_ROOT, 'dist', name!, 'index.js'))).toBe(true);
    // Every other run: is the user's command through the environment, nothing else.
    expect(runs.filter((run) => !run.startsWith('node '))).toEqual(['eval "$DEPLOY_COMMAND"']);
  });

  it('passes each input under a name the called action declares, and every rollback input to the plan', async () => {
    const action = await readActionYml();
    const declared = (name: string) =>
      Object.keys(
        (parseYaml(readFileSync(join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8')) as { inputs: object }).inputs,
      );
    const calls: Record<string, string> = {
      plan: 'rollback',
      finish: 'rollback',
      health: 'canary-gate',
      ticket: 'beads-sync',
    };
    for (const step of action.runs.steps) {
      const target = calls[step.id ?? ''];
      if (target === undefined) continue;
      const names = declared(target);
      for (const key of Object.keys(step.env ?? {}).filter((k) => k.startsWith('INPUT_'))) {
        const input = key.slice('INPUT_'.length).toLowerCase();
        expect(names, `${step.id}: ${key}`).toContain(input);
      }
    }
    // The deploy step reads working-directory itself; the plan validates every other input.
    const plan = action.runs.steps.find((step) => step.id === 'plan')!;
    for (const name of Object.keys(action.inputs ?? {}).filter((input) => input !== 'working-directory')) {
      expect(plan.env?.[`INPUT_${name.toUpperCase()}`], name).toBe(`\${{ inputs.${name} }}`);
    }
  });

  it('the runner stand-in refuses what it does not simulate, such as an expression inside run:', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-planted-'));
    try {
      const planted = (step: string) =>
        `name: x\ndescription: x\ninputs:\n  x:\n    description: x\nruns:\n  using: composite\n  steps:\n${step}`;
      writeFileSync(join(dir, 'action.yml'), planted('    - shell: bash\n      run: echo "${{ inputs.x }}"\n'));
      await expect(runComposite({ actionDir: dir })).rejects.toThrow(/expression inside run:/);
      writeFileSync(join(dir, 'action.yml'), planted('    - uses: ./actions/canary-gate\n'));
      await expect(runComposite({ actionDir: dir })).rejects.toThrow(/uses an action/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the runner stand-in evaluates conditions as GitHub does', () => {
    const contexts = { steps: { plan: { outputs: { action: 'deploy' } } }, inputs: { 'health-url': '' } };
    const value = (expression: string, failed = false) =>
      evaluateExpression(expression, contexts, { failed }).coerceString();
    expect(value("steps.plan.outputs.action == 'DEPLOY'")).toBe('true');
    expect(value("always() && steps.plan.outputs.missing == ''")).toBe('true');
    expect(value('success()', true)).toBe('false');
    expect(value("inputs.health-url != ''")).toBe('false');
  });
});

let sandbox: GitSandbox | undefined;
let api: GitHubStandIn | undefined;
let scratch: string;
let server: Server | undefined;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hotfix-rollback-composite-'));
});

afterEach(async () => {
  if (api) {
    assertNoViolations(api);
    await api.close();
  }
  await sandbox?.cleanup();
  if (server) await new Promise((done) => server!.close(done));
  rmSync(scratch, { recursive: true, force: true });
  api = undefined;
  sandbox = undefined;
  server = undefined;
});

/** Production history: v1.3.0 and v1.4.0 verified good, v1.5.1 deployed last. */
async function history() {
  const repo = await taggedRepo();
  sandbox = repo.sandbox;
  api = await standIn(sandbox);
  await seedDeployment(api, 'v1.3.0', ['success']);
  await seedDeployment(api, 'v1.4.0', ['success']);
  const failing = await seedDeployment(api, 'v1.5.1', ['success']);
  return { api, shas: repo.shas, failing };
}

/** A health endpoint answering `status` to every request. */
async function healthServer(status: number): Promise<string> {
  server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: status < 400 ? 'ok' : 'error' }));
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/health`;
}

function rollbackDeployment(stand: GitHubStandIn) {
  return stand.state.deployments.find((one) => one.task === 'rollback');
}

function outcomes(run: Awaited<ReturnType<typeof runComposite>>): Record<string, string> {
  return Object.fromEntries(run.steps.map((step) => [step.id, step.outcome]));
}

describe('the composite, step by step', () => {
  it('deploys the last good version with ROLLBACK_* in the command environment, checks health, records success', async () => {
    const { api, shas, failing } = await history();
    const healthUrl = await healthServer(200);
    const out = join(scratch, 'deployed.txt');
    const run = await runComposite({
      inputs: {
        'deploy-command': `printf '%s|%s|%s|%s|%s|%s\\n' "$ROLLBACK_VERSION" "$ROLLBACK_TAG" "$ROLLBACK_SHA" "$ROLLBACK_ENVIRONMENT" "$ROLLBACK_FROM_TAG" "$ROLLBACK_DEPLOYMENT_ID" > '${out}'`,
        'health-url': healthUrl,
        'health-interval': '0s',
        'health-successes': '2',
      },
      env: api.env(),
    });
    expect(run.success, JSON.stringify(run.steps.map((s) => [s.id, s.stdout, s.stderr]))).toBe(true);
    expect(outcomes(run)).toEqual({
      plan: 'success',
      deploy: 'success',
      health: 'success',
      ticket: 'skipped',
      finish: 'success',
    });
    const created = rollbackDeployment(api)!;
    expect(readFileSync(out, 'utf8')).toBe(`1.4.0|v1.4.0|${shas['v1.4.0']}|production|v1.5.1|${created.id}\n`);
    expect(run.outputs).toEqual({
      'from-version': '1.5.1',
      'from-tag': 'v1.5.1',
      'to-version': '1.4.0',
      'to-tag': 'v1.4.0',
      'to-sha': shas['v1.4.0'],
      'deployment-id': String(created.id),
      outcome: 'rolled-back',
      'regression-ticket': '',
      'escalation-tag': 'v1.3.0',
      'revert-sha': '',
    });
    expect(statesOf(api, created.id)).toEqual(['in_progress', 'success']);
    expect(statesOf(api, failing)).toEqual(['success', 'failure']);
    expect(run.summary).toContain('Rolled back production: v1.5.1 → v1.4.0');
    expect(run.summary).toMatch(/health check \| ✅ passed/);
    expect(run.steps.find((step) => step.id === 'health')!.outputs.decision).toBe('promote');
    if (process.env.SHOW_SUMMARY) console.log(run.summary);
  });

  it('a failing deploy command fails the step, records failure and advises the escalation', async () => {
    const { api, failing } = await history();
    const run = await runComposite({
      inputs: { 'deploy-command': 'echo "deploying $ROLLBACK_TAG"\nfalse\necho never-reached' },
      env: api.env(),
    });
    expect(run.success).toBe(false);
    expect(outcomes(run)).toEqual({
      plan: 'success',
      deploy: 'failure',
      health: 'skipped',
      ticket: 'skipped',
      finish: 'failure',
    });
    const deploy = run.steps.find((step) => step.id === 'deploy')!;
    expect(deploy.stdout).toContain('deploying v1.4.0');
    // The shell runs with -e and pipefail, as a run: step of the user's own would.
    expect(deploy.stdout).not.toContain('never-reached');
    expect(run.outputs).toMatchObject({ outcome: 'failed', 'to-tag': 'v1.4.0', 'escalation-tag': 'v1.3.0' });
    const created = rollbackDeployment(api)!;
    expect(statesOf(api, created.id)).toEqual(['in_progress', 'failure']);
    expect(statesOf(api, failing)).toEqual(['success', 'failure']);
    expect(run.annotations.find((a) => a.title === 'Rollback failed')?.message).toContain('the deploy command failed');
    expect(run.summary).toContain('Rollback of production to v1.4.0 failed');
    expect(run.summary).toContain('goes to v1.3.0, the version before v1.4.0');
  });

  it('a failing health check (the service answers 500) gives failed, whatever the deploy said', async () => {
    const { api } = await history();
    const healthUrl = await healthServer(500);
    const run = await runComposite({
      inputs: { 'deploy-command': 'true', 'health-url': healthUrl, 'health-interval': '0s' },
      env: api.env(),
    });
    expect(run.success).toBe(false);
    expect(outcomes(run)).toMatchObject({ deploy: 'success', health: 'failure', finish: 'failure' });
    expect(run.outputs.outcome).toBe('failed');
    expect(statesOf(api, rollbackDeployment(api)!.id)).toEqual(['in_progress', 'failure']);
    expect(run.summary).toMatch(/health check \| ❌ failure/);
    // canary-gate judged the answers (a configuration mistake would have no decision).
    expect(run.steps.find((step) => step.id === 'health')!.outputs.decision).toBe('abort');
    if (process.env.SHOW_SUMMARY) console.log(run.summary);
    expect(run.summary).toContain('`escalate: true`');
  });

  it('a hostile deploy-command is run only by the deploy step, exactly as given', async () => {
    const { api } = await history();
    const sentinel = join(scratch, 'sentinel');
    const command = `echo "tag=$ROLLBACK_TAG" $(touch '${sentinel}') \`echo x\`; echo '$(not evaluated twice)'`;
    // Dry run: plan and finish see the command, nothing runs it.
    const dry = await runComposite({ inputs: { 'deploy-command': command, 'dry-run': 'true' }, env: api.env() });
    expect(dry.success).toBe(true);
    expect(outcomes(dry)).toMatchObject({ plan: 'success', deploy: 'skipped', finish: 'success' });
    expect(dry.steps[0]!.env['INPUT_DEPLOY-COMMAND']).toBe(command);
    expect(existsSync(sentinel)).toBe(false);
    expect(dry.outputs.outcome).toBe('dry-run');

    const real = await runComposite({ inputs: { 'deploy-command': command }, env: api.env() });
    const deploy = real.steps.find((step) => step.id === 'deploy')!;
    expect(deploy.env.DEPLOY_COMMAND).toBe(command);
    expect(existsSync(sentinel)).toBe(true);
    expect(deploy.stdout).toBe('tag=v1.4.0 x\n$(not evaluated twice)\n');
    expect(real.outputs.outcome).toBe('rolled-back');
  });

  it('opens a P0 regression ticket blocked by the original, through beads-sync', async () => {
    const repo = await taggedRepo();
    sandbox = repo.sandbox;
    const original = readBeadsFixture().issues.toString('utf8').split('\n').slice(0, 3).join('\n') + '\n';
    const ticket = (JSON.parse(original.split('\n')[0]!) as { id: string }).id;
    await seedBeadsRepo(sandbox, { issues: original, config: 'issue-prefix: "bd"\n' });
    api = await standIn(sandbox);
    await seedDeployment(api, 'v1.4.0', ['success']);
    await seedDeployment(api, 'v1.5.1', ['success']);
    const workspace = await sandbox.clone({ branch: 'main' });
    const run = await runComposite({
      inputs: { 'deploy-command': 'true', ticket },
      env: api.env(),
      workspace,
    });
    expect(run.success, JSON.stringify(run.steps.map((s) => [s.id, s.stdout.slice(-2000)]))).toBe(true);
    expect(outcomes(run)).toMatchObject({ ticket: 'success', finish: 'success' });
    const created = run.outputs['regression-ticket']!;
    expect(created).toMatch(/^bd-/);
    const tracker = await gitShowBytes(sandbox.origin, 'refs/heads/main', '.beads/issues.jsonl');
    const issue = beadsIssueOf(tracker, created) as Record<string, unknown>;
    expect(issue).toMatchObject({
      title: 'P0: Hotfix regression - v1.5.1 rolled back to v1.4.0 in production',
      priority: 0,
      issue_type: 'bug',
      labels: expect.arrayContaining(['emergency', 'regression']),
    });
    expect(issue.dependencies).toEqual([
      expect.objectContaining({ issue_id: created, depends_on_id: ticket, type: 'blocks' }),
    ]);
    expect(run.summary).toContain(`regression ticket | ${created}`);
  });

  it('a mistake in the inputs fails the plan step; finish still reports failed and nothing is recorded', async () => {
    const { api } = await history();
    const before = api.mutations();
    const run = await runComposite({ inputs: { 'deploy-command': 'true', to: 'v9.9.9' }, env: api.env() });
    expect(run.success).toBe(false);
    expect(outcomes(run)).toEqual({
      plan: 'failure',
      deploy: 'skipped',
      health: 'skipped',
      ticket: 'skipped',
      finish: 'success',
    });
    expect(run.outputs.outcome).toBe('failed');
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.title)).toEqual([
      'Configuration error for input "to"',
    ]);
    expect(api.mutations()).toBe(before);
  });
});
