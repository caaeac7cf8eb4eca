import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The workflow security rules (CONTEXT.md §6, zizmor's audits re-implemented) as checks over every
// YAML file of the repository — workflows, caller examples and composite actions — and, for S2, over
// the shipped TypeScript. Each check is also shown to fail on a violation planted in a copy.

const root = resolve(import.meta.dirname, '..');

/** The third-party actions this repository allows, at the commits it audited (its pin list). */
const PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
};

type Kind = 'workflow' | 'example' | 'action';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
  secrets?: unknown;
}

interface YamlFile {
  /** Path relative to the repository root. */
  path: string;
  kind: Kind;
  text: string;
}

function yamlFiles(): YamlFile[] {
  const files: YamlFile[] = [];
  const add = (dir: string, kind: Kind, filter: (name: string) => boolean) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (!filter(name)) continue;
      const path = join(dir, name);
      files.push({ path: relative(root, path), kind, text: readFileSync(path, 'utf8') });
    }
  };
  add(join(root, '.github', 'workflows'), 'workflow', (name) => /\.ya?ml$/.test(name));
  add(join(root, 'examples'), 'example', (name) => /\.ya?ml$/.test(name));
  for (const action of readdirSync(join(root, 'actions')).sort()) {
    const yml = join(root, 'actions', action, 'action.yml');
    if (existsSync(yml)) files.push({ path: relative(root, yml), kind: 'action', text: readFileSync(yml, 'utf8') });
  }
  return files;
}

interface Located {
  where: string;
  job?: Job;
  step: Step;
}

/** Every step of a workflow's jobs, or of a composite action. */
function stepsOf(file: YamlFile): Located[] {
  const doc = parse(file.text) as { jobs?: Record<string, Job>; runs?: { steps?: Step[] } };
  const label = (step: Step, index: number) => step.id ?? step.name ?? `step ${index + 1}`;
  if (file.kind === 'action') {
    return (doc.runs?.steps ?? []).map((step, index) => ({ where: label(step, index), step }));
  }
  return Object.entries(doc.jobs ?? {}).flatMap(([id, job]) =>
    (job.steps ?? []).map((step, index) => ({ where: `${id}/${label(step, index)}`, job, step })),
  );
}

// S1: no expression inside run:, inputs go through env:.
function s1(file: YamlFile): string[] {
  return stepsOf(file)
    .filter(({ step }) => step.run?.includes('${{'))
    .map(({ where }) => `${file.path} ${where}: \${{ }} inside run:`);
}

// S2 (workflows): a shell string from outside reaches a shell only as one quoted environment variable.
function s2Yaml(file: YamlFile): string[] {
  const problems: string[] = [];
  const argument = String.raw`("[^"]*"|'[^']*'|\S+)`;
  const shells = [
    new RegExp(String.raw`\beval\s+` + argument, 'g'),
    new RegExp(String.raw`\b(?:ba)?sh\b[^\n]*?\s-c\s+` + argument, 'g'),
  ];
  for (const { where, step } of stepsOf(file)) {
    for (const pattern of shells) {
      for (const match of (step.run ?? '').matchAll(pattern)) {
        if (!/^"\$[A-Z_][A-Z0-9_]*"$/.test(match[1]!)) problems.push(`${file.path} ${where}: ${match[0]}`);
      }
    }
  }
  return problems;
}

// S2 (TypeScript): argument arrays only. Shipped sources never start a shell or a process directly.
function s2TypeScript(path: string, text: string): string[] {
  const problems: string[] = [];
  if (/from\s+['"](?:node:)?child_process['"]/.test(text)) problems.push(`${path}: imports child_process`);
  if (/from\s+['"]@actions\/exec['"]/.test(text) && path !== 'packages/core/src/exec.ts') {
    problems.push(`${path}: imports @actions/exec (use runCommand)`);
  }
  if (/\bshell\s*:\s*true\b/.test(text)) problems.push(`${path}: shell: true`);
  // Calls, not the declaration.
  for (const match of text.matchAll(/(?<!function\s+)\brunCommand\(\s*([^,)]+)/g)) {
    const program = match[1]!.trim();
    if (!/^'[^'\s]+'$/.test(program) && !/^[A-Za-z_$][\w$.]*$/.test(program)) {
      problems.push(`${path}: runCommand(${program}, …) is not a program name`);
    }
  }
  return problems;
}

function shippedSources(): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) found.push({ path: relative(root, path), text: readFileSync(path, 'utf8') });
    }
  };
  walk(join(root, 'packages', 'core', 'src'));
  for (const action of readdirSync(join(root, 'actions'))) {
    const src = join(root, 'actions', action, 'src');
    if (existsSync(src)) walk(src);
  }
  return found;
}

// S3: read-only at the top, writes per job, never write-all.
function s3(file: YamlFile): string[] {
  if (file.kind === 'action') return [];
  const doc = parse(file.text) as { permissions?: unknown; jobs?: Record<string, Job> };
  const problems: string[] = [];
  const top = doc.permissions;
  if (top === undefined || top === null) problems.push(`${file.path}: no top-level permissions`);
  else if (typeof top === 'string' ? top !== 'read-all' : Object.values(top).some((level) => level === 'write')) {
    problems.push(`${file.path}: top-level permissions grant writes (${JSON.stringify(top)})`);
  }
  for (const [id, job] of Object.entries(doc.jobs ?? {})) {
    if (job.permissions === 'write-all') problems.push(`${file.path} ${id}: write-all`);
  }
  return problems;
}

/** owner/name of this repository as the pipeline names it, and the release tag it is called at. */
function ownRepository(): { repository: string; ref: string } {
  const text = readFileSync(join(root, '.github', 'workflows', 'hotfix-pipeline.yml'), 'utf8');
  const match = /uses:\s*([^/\s]+\/[^/\s]+)\/actions\/[a-z0-9-]+@(\S+)/.exec(text);
  if (!match) throw new Error('hotfix-pipeline.yml calls none of this repository’s actions');
  return { repository: match[1]!, ref: match[2]! };
}

// S4: every third-party action pinned to an audited commit, with its version as a comment; this
// repository's own actions at the release tag (workflows) or a major tag or commit (examples).
function s4(file: YamlFile): string[] {
  const own = ownRepository();
  const problems: string[] = [];
  for (const match of file.text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
    const [, ref, rest] = match as unknown as [string, string, string];
    if (ref.startsWith('./')) continue;
    if (ref.startsWith('docker://')) {
      problems.push(`${file.path}: ${ref}: container actions are not allowed`);
      continue;
    }
    const at = ref.lastIndexOf('@');
    const target = ref.slice(0, at);
    const version = ref.slice(at + 1);
    const [owner, name, ...path] = target.split('/');
    const repository = `${owner}/${name}`;
    if (repository.toLowerCase() === own.repository.toLowerCase()) {
      const inner = path.join('/');
      const known =
        (path[0] === 'actions' && path.length === 2 && existsSync(join(root, 'actions', path[1]!, 'action.yml'))) ||
        inner === '.github/workflows/hotfix-pipeline.yml';
      if (!known) problems.push(`${file.path}: ${ref}: no such action or workflow in this repository`);
      const allowed =
        file.kind === 'example' ? /^(?:v\d+(?:\.\d+){0,2}|[0-9a-f]{40})$/.test(version) : version === own.ref;
      if (!allowed) problems.push(`${file.path}: ${ref}: own action at ${version}, expected ${own.ref}`);
      continue;
    }
    const pin = PINS[target];
    if (!pin) problems.push(`${file.path}: ${ref}: not an audited pin`);
    else if (version !== pin.sha) problems.push(`${file.path}: ${ref}: not the audited commit (${pin.sha})`);
    else if (!new RegExp(`#\\s*${pin.version.replace(/\./g, '\\.')}\\s*$`).test(rest)) {
      problems.push(`${file.path}: ${ref}: needs the comment # ${pin.version}`);
    }
  }
  return problems;
}

// S5: no pull_request_target or workflow_run triggers.
function s5(file: YamlFile): string[] {
  if (file.kind === 'action') return [];
  const doc = parse(file.text) as { on?: unknown };
  const triggers =
    typeof doc.on === 'string' ? [doc.on] : Array.isArray(doc.on) ? doc.on : Object.keys((doc.on as object) ?? {});
  return triggers
    .filter((trigger) => trigger === 'pull_request_target' || trigger === 'workflow_run')
    .map((trigger) => `${file.path}: on ${String(trigger)}`);
}

/** A job that runs a command given from outside (the pipeline's `*_COMMAND`, rollback's deploy-command). */
function runsOutsideCommands(job: Job): boolean {
  return (job.steps ?? []).some(
    (step) =>
      Object.keys(step.env ?? {}).some((key) => key.endsWith('_COMMAND')) ||
      (step.with !== undefined && 'deploy-command' in step.with),
  );
}

function grantsContentsWrite(job: Job): boolean {
  const permissions = job.permissions as Record<string, string> | string | undefined;
  return permissions === 'write-all' || (typeof permissions === 'object' && permissions.contents === 'write');
}

// S6: credentials persisted only by jobs that push (and run nothing from outside), nothing into
// GITHUB_ENV / GITHUB_PATH, no secrets: inherit.
function s6(file: YamlFile): string[] {
  const problems: string[] = [];
  for (const { where, job, step } of stepsOf(file)) {
    if (step.uses?.startsWith('actions/checkout@')) {
      const persist = step.with?.['persist-credentials'];
      if (persist !== false) {
        if (persist !== true) problems.push(`${file.path} ${where}: checkout without persist-credentials: false`);
        else if (!job || !grantsContentsWrite(job) || runsOutsideCommands(job)) {
          problems.push(`${file.path} ${where}: credentials kept by a job that does not push or runs outside commands`);
        }
      }
    }
    if (/GITHUB_(ENV|PATH)\b/.test(step.run ?? ''))
      problems.push(`${file.path} ${where}: writes GITHUB_ENV/GITHUB_PATH`);
  }
  if (file.kind !== 'action') {
    const doc = parse(file.text) as { jobs?: Record<string, Job> };
    for (const [id, job] of Object.entries(doc.jobs ?? {})) {
      if (job.secrets === 'inherit') problems.push(`${file.path} ${id}: secrets: inherit`);
    }
  }
  return problems;
}

const RULES = { S1: s1, S2: s2Yaml, S3: s3, S4: s4, S5: s5, S6: s6 } as const;
const files = yamlFiles();

describe('every YAML file of the repository', () => {
  it('covers the workflows, the examples and the composite actions', () => {
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '.github/workflows/hotfix-pipeline.yml',
        '.github/workflows/release.yml',
        '.github/workflows/ci.yml',
        'examples/emergency.yml',
        'actions/rollback/action.yml',
      ]),
    );
    expect(files.filter((file) => file.kind === 'example')).toHaveLength(4);
  });

  describe.each(Object.entries(RULES))('%s', (_rule, check) => {
    it.each(files.map((file) => [file.path, file] as const))('%s', (_path, file) => {
      expect(check(file)).toEqual([]);
    });
  });
});

describe('S2 in the shipped TypeScript', () => {
  const sources = shippedSources();

  it('no source starts a shell or a process other than through runCommand', () => {
    expect(sources.length).toBeGreaterThan(20);
    expect(sources.flatMap(({ path, text }) => s2TypeScript(path, text))).toEqual([]);
  });

  it('fails on planted violations', () => {
    expect(s2TypeScript('a.ts', "import { execSync } from 'node:child_process';")).toHaveLength(1);
    expect(s2TypeScript('a.ts', "import { exec } from '@actions/exec';")).toHaveLength(1);
    expect(s2TypeScript('packages/core/src/exec.ts', "import { exec } from '@actions/exec';")).toEqual([]);
    expect(s2TypeScript('a.ts', "spawn('git', args, { shell: true })")).toHaveLength(1);
    expect(s2TypeScript('a.ts', 'await runCommand(`git push ${remote}`, []);')).toHaveLength(1);
    expect(s2TypeScript('a.ts', "await runCommand('git push ' + remote, []);")).toHaveLength(1);
    expect(s2TypeScript('a.ts', "await runCommand('git', ['push', remote]);")).toEqual([]);
    expect(s2TypeScript('a.ts', 'await runCommand(options.bd, args);')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Each rule fails on a violation planted in an in-memory copy of a real file.

const byPath = (path: string): YamlFile => files.find((file) => file.path === path)!;
const pipelineFile = byPath('.github/workflows/hotfix-pipeline.yml');

/** A copy of `file` with one exact piece of text replaced (which must be there exactly once). */
function planted(file: YamlFile, find: string, replace: string): YamlFile {
  expect(file.text.split(find).length - 1, `"${find}" occurs once in ${file.path}`).toBe(1);
  return { ...file, path: `${file.path} (planted)`, text: file.text.replace(find, replace) };
}

describe('the rules catch planted violations', () => {
  it('S1: an input expanded inside run:', () => {
    const bad = planted(
      pipelineFile,
      'run: bash --noprofile --norc -eo pipefail -c "$TEST_COMMAND"',
      'run: ${{ inputs.test-command }}',
    );
    expect(s1(bad)).toEqual([
      '.github/workflows/hotfix-pipeline.yml (planted) tests/Run the tests: ${{ }} inside run:',
    ]);
    const composite = byPath('actions/rollback/action.yml');
    const inComposite = planted(composite, 'run: eval "$DEPLOY_COMMAND"', 'run: eval "${{ inputs.deploy-command }}"');
    expect(s1(inComposite)).toHaveLength(1);
  });

  it('S2: a command string built in the script instead of passed whole', () => {
    const bad = planted(
      pipelineFile,
      'run: bash --noprofile --norc -eo pipefail -c "$TEST_COMMAND"',
      'run: bash --noprofile --norc -eo pipefail -c "cd $DIR && $TEST_COMMAND"',
    );
    expect(s2Yaml(bad)).toHaveLength(1);
    const composite = byPath('actions/rollback/action.yml');
    expect(s2Yaml(planted(composite, 'run: eval "$DEPLOY_COMMAND"', 'run: eval $DEPLOY_COMMAND'))).toHaveLength(1);
  });

  it('S3: writes at the top, or write-all anywhere', () => {
    const top = planted(pipelineFile, '\npermissions: {}\n', '\npermissions:\n  contents: write\n');
    expect(s3(top)).toEqual([
      '.github/workflows/hotfix-pipeline.yml (planted): top-level permissions grant writes ({"contents":"write"})',
    ]);
    const missing = planted(pipelineFile, '\npermissions: {}\n', '\n');
    expect(s3(missing)).toEqual(['.github/workflows/hotfix-pipeline.yml (planted): no top-level permissions']);
    const job = planted(
      byPath('.github/workflows/ci.yml'),
      '    runs-on: ubuntu-latest\n',
      '    runs-on: ubuntu-latest\n    permissions: write-all\n',
    );
    expect(s3(job)).toEqual(['.github/workflows/ci.yml (planted) test: write-all']);
  });

  it('S4: a tag instead of a commit, an unaudited commit, a missing comment, an unlisted action', () => {
    const checkout = 'uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
    const ci = byPath('.github/workflows/ci.yml');
    expect(s4(planted(ci, checkout, 'uses: actions/checkout@v7'))).toHaveLength(1);
    expect(s4(planted(ci, checkout, `uses: actions/checkout@${'a'.repeat(40)} # v7.0.1`))).toEqual([
      `.github/workflows/ci.yml (planted): actions/checkout@${'a'.repeat(40)}: not the audited commit (3d3c42e5aac5ba805825da76410c181273ba90b1)`,
    ]);
    expect(s4(planted(ci, checkout, 'uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1'))).toHaveLength(
      1,
    );
    expect(s4(planted(ci, checkout, `uses: actions/cache@${'b'.repeat(40)} # v4.2.0`))).toEqual([
      `.github/workflows/ci.yml (planted): actions/cache@${'b'.repeat(40)}: not an audited pin`,
    ]);
    // This repository's own actions: at the release tag in workflows, never a moving ref.
    const { repository, ref } = ownRepository();
    const own = `${repository}/actions/canary-gate@${ref}`;
    const moving = pipelineFile.text.replace(own, `${repository}/actions/canary-gate@main`);
    expect(s4({ ...pipelineFile, text: moving })).toHaveLength(1);
    expect(
      s4({ ...pipelineFile, text: `${pipelineFile.text}      - uses: ${repository}/actions/nope@${ref}\n` }),
    ).toEqual([
      `.github/workflows/hotfix-pipeline.yml: ${repository}/actions/nope@${ref}: no such action or workflow in this repository`,
    ]);
    expect(s4(planted(byPath('examples/emergency.yml'), '@v1\n', '@main\n'))).toHaveLength(1);
  });

  it('S5: pull_request_target or workflow_run', () => {
    const example = byPath('examples/trunk-first.yml');
    expect(s5(planted(example, '  pull_request:\n', '  pull_request_target:\n'))).toEqual([
      'examples/trunk-first.yml (planted): on pull_request_target',
    ]);
    expect(s5({ ...example, text: example.text.replace(/^on:\n(?: .*\n)+/m, 'on: [push, workflow_run]\n') })).toEqual([
      'examples/trunk-first.yml: on workflow_run',
    ]);
  });

  it('S6: credentials kept where nothing is pushed, GITHUB_ENV written, secrets inherited', () => {
    // The build job runs your command: it must never hold push credentials.
    const build = /( {2}build:\n[\s\S]*?)persist-credentials: false/.exec(pipelineFile.text)![0];
    const kept = planted(pipelineFile, build, build.replace('persist-credentials: false', 'persist-credentials: true'));
    expect(s6(kept)).toEqual([
      '.github/workflows/hotfix-pipeline.yml (planted) build/step 1: credentials kept by a job that does not push or runs outside commands',
    ]);
    const forgotten = planted(pipelineFile, build, build.replace('\n          persist-credentials: false', ''));
    expect(s6(forgotten)).toHaveLength(1);
    const env = planted(
      pipelineFile,
      'run: echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"',
      'run: echo "BRANCH=$BRANCH" >> "$GITHUB_ENV"',
    );
    expect(s6(env)).toEqual([
      '.github/workflows/hotfix-pipeline.yml (planted) tests/commit: writes GITHUB_ENV/GITHUB_PATH',
    ]);
    const example = byPath('examples/release-first.yml');
    const inherit = planted(
      example,
      '    secrets:\n      DEPLOY_CREDENTIALS',
      '    secrets: inherit\n    x-secrets:\n      DEPLOY_CREDENTIALS',
    );
    expect(s6(inherit)).toEqual(['examples/release-first.yml (planted) hotfix: secrets: inherit']);
  });
});
