import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HARNESS_TOKEN, inputEnvName, parseOutputFile, parseWorkflowCommands, runBundle } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/contract-action/', import.meta.url));
const actionYml = join(fixture, 'action.yml');
let buildDir: string | undefined;
let bundle: string;

type Ncc = (entry: string, options: object) => Promise<{ code: string }>;

// The fixture is bundled with ncc exactly like the real actions, so the harness reads a real bundle.
beforeAll(async () => {
  const specifier = '@vercel/ncc';
  const { default: ncc } = (await import(specifier)) as { default: Ncc };
  // The fixture's own tsconfig.json keeps ncc's type check to the fixture.
  const { code } = await ncc(join(fixture, 'index.ts'), { minify: false, quiet: true, cache: false, sourceMap: false });
  buildDir = mkdtempSync(join(tmpdir(), 'hotfix-contract-'));
  bundle = join(buildDir, 'index.js');
  writeFileSync(bundle, code);
  writeFileSync(join(buildDir, 'package.json'), '{ "type": "module" }\n');
});

afterAll(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

const hostileMessage = 'deploy failed: 100% of pods, a,b\nsee %0A :: and %25';

describe('runBundle with a real ncc bundle', () => {
  it('reads outputs, annotations, summary, file commands and masks back', async () => {
    vi.stubEnv('HOTFIX_HARNESS_LEAK_CHECK', 'developer-only');
    const run = await runBundle({ bundle, actionYml, inputs: { message: hostileMessage, 'dry-run': 'true' } });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);

    expect(run.outputs.single).toBe('dry-run is true');
    expect(run.outputs.multi).toBe('first line\nsecond = line <<EOF\n\nlast line');
    expect(run.outputs.message).toBe(hostileMessage);

    expect(run.annotations).toEqual([
      {
        level: 'error',
        message: hostileMessage,
        title: 'Broken: 100%, really',
        file: 'src/a,b:c.ts',
        line: 7,
        properties: { title: 'Broken: 100%, really', file: 'src/a,b:c.ts', line: '7' },
      },
      { level: 'warning', message: `warning: 50% done, ${hostileMessage}`, properties: {} },
      { level: 'notice', message: 'a plain notice', properties: {} },
    ]);
    expect(run.commands.map((c) => c.command)).toEqual(['add-mask', 'error', 'warning', 'notice', 'debug', 'add-mask']);
    expect(run.masks).toEqual([HARNESS_TOKEN, 's3cr3t-value']);

    expect(run.summary).toContain('<h2>Contract fixture</h2>');
    expect(run.summary).toMatch(
      /<table><tr><th>input<\/th><th>value<\/th><\/tr><tr><td>dry-run<\/td><td>true<\/td><\/tr><\/table>/,
    );
    expect(run.env).toEqual({ FIXTURE_VAR: 'one\ntwo' });
    expect(run.state).toEqual({ 'fixture-state': 'saved' });
    expect(run.path).toEqual(['/opt/fixture/bin']);
    expect(run.durationMs).toBeGreaterThan(0);
  });

  it('gives the process the runner environment and nothing of the developer’s', async () => {
    vi.stubEnv('HOTFIX_HARNESS_LEAK_CHECK', 'developer-only');
    const event = { pull_request: { number: 7, title: 'hotfix(bd-a1b2): fix login' } };
    const run = await runBundle({
      bundle,
      actionYml,
      inputs: { message: 'hello' },
      event,
      eventName: 'pull_request',
      repository: 'acme/shop',
      ref: 'refs/pull/7/merge',
      apiUrl: 'http://127.0.0.1:4010/api/v3',
      env: { EXTRA: 'yes', CI: undefined },
    });
    expect(run.exitCode).toBe(0);
    const runtime = JSON.parse(run.outputs.runtime ?? '{}') as {
      cwd: string;
      home: string;
      envKeys: string[];
      inputDryRun: string;
      tokenLength: number;
      event: unknown;
    };
    expect(runtime.cwd).toBe(run.workspace);
    expect(runtime.inputDryRun).toBe('false');
    expect(runtime.tokenLength).toBe(HARNESS_TOKEN.length);
    expect(runtime.event).toEqual(event);
    expect(runtime.home).toMatch(/hotfix-run-[^/]+\/home$/);
    expect(runtime.envKeys).not.toContain('HOTFIX_HARNESS_LEAK_CHECK');
    expect(runtime.envKeys).not.toContain('CI');
    expect(runtime.envKeys).toEqual(
      expect.arrayContaining([
        'EXTRA',
        'GIT_CONFIG_NOSYSTEM',
        'GITHUB_API_URL',
        'GITHUB_EVENT_NAME',
        'GITHUB_EVENT_PATH',
        'GITHUB_OUTPUT',
        'GITHUB_REF_NAME',
        'GITHUB_STEP_SUMMARY',
        'HOTFIX_ACTIONS_RETRY_BASE_MS',
        'INPUT_DRY-RUN',
        'INPUT_FAIL',
        'INPUT_MESSAGE',
        'INPUT_TOKEN',
        'PATH',
        'RUNNER_TEMP',
      ]),
    );
    const runnerOnly = /^(GITHUB_|RUNNER_|INPUT_)|^(EXTRA|GIT_CONFIG_NOSYSTEM|HOME|PATH|HOTFIX_ACTIONS_RETRY_BASE_MS)$/;
    expect(runtime.envKeys.filter((key) => !runnerOnly.test(key))).toEqual([]);
  });

  it('reports a failed step: exit code 1 and the error annotation', async () => {
    const run = await runBundle({ bundle, actionYml, inputs: { message: 'boom', fail: 'true' } });
    expect(run.exitCode).toBe(1);
    expect(run.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'boom',
      'asked to fail: boom',
    ]);
    expect(run.outputs.single).toBe('dry-run is false');
  });

  it('refuses an input the action does not declare', async () => {
    await expect(runBundle({ bundle, actionYml, inputs: { message: 'x', 'dry-runn': 'true' } })).rejects.toThrow(
      /declares no input "dry-runn"/,
    );
  });

  it('leaves no temp files behind', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('hotfix-run-')).length;
    await runBundle({ bundle, actionYml, inputs: { message: 'x' } });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('hotfix-run-')).length).toBeLessThanOrEqual(before);
  });
});

describe('runBundle failures', () => {
  it('kills a bundle that hangs and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hotfix-hang-'));
    try {
      writeFileSync(join(dir, 'index.mjs'), 'console.log("started"); setInterval(() => {}, 1000);\n');
      await expect(runBundle({ bundle: join(dir, 'index.mjs'), timeoutMs: 300 })).rejects.toThrow(
        /did not finish within 300 ms[\s\S]*started/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the missing bundle of an action', async () => {
    await expect(runBundle({ bundle: 'no-such-action' })).rejects.toThrow(
      /dist\/no-such-action\/index\.js does not exist; run `npm run bundle` first/,
    );
    await expect(runBundle({ bundle: '../escape' })).rejects.toThrow(/neither an action name/);
  });
});

describe('parseOutputFile', () => {
  it('reads name=value and name<<DELIMITER blocks, the last value winning', () => {
    const text = [
      'plain=a=b<<c',
      'multi<<ghadelimiter_1',
      'line 1',
      'x=y',
      '',
      'ghadelimiter_1',
      'empty=',
      'plain=second',
      'crlf=value\r',
      '',
    ].join('\n');
    expect(parseOutputFile(text)).toEqual({ plain: 'second', multi: 'line 1\nx=y\n', empty: '', crlf: 'value' });
    expect(parseOutputFile('')).toEqual({});
  });

  it.each([
    ['=value', /a value without a name/],
    ['no separator', /expected name=value or name<<DELIMITER/],
    ['<<EOF\nx\nEOF', /expected name=value/],
    ['name<<', /expected name=value/],
    ['name<<EOF\nnever closed', /no closing delimiter "EOF"/],
  ])('throws on %j, as the runner fails the step', (text, error) => {
    expect(() => parseOutputFile(text, 'GITHUB_OUTPUT')).toThrow(error);
  });
});

describe('parseWorkflowCommands', () => {
  it('decodes the runner escapes in one pass', () => {
    const commands = parseWorkflowCommands(
      [
        'plain log line',
        '::error title=a%3Ab%2Cc%25,file=x.ts,line=3,col=,=v::100%25 sure%0Anext %250A line%0D',
        '  ::warning::indented still counts',
        '::notice title=t=u::',
        '::group::Phase',
        '::endgroup::',
        '::not a command',
      ].join('\n'),
    );
    expect(commands).toEqual([
      {
        command: 'error',
        properties: { title: 'a:b,c%', file: 'x.ts', line: '3' },
        message: '100% sure\nnext %0A line\r',
      },
      { command: 'warning', properties: {}, message: 'indented still counts' },
      { command: 'notice', properties: { title: 't=u' }, message: '' },
      { command: 'group', properties: {}, message: 'Phase' },
      { command: 'endgroup', properties: {}, message: '' },
    ]);
  });

  it('ignores commands between ::stop-commands::TOKEN and ::TOKEN::', () => {
    const commands = parseWorkflowCommands(
      ['::stop-commands::pause-1', '::error::printed, not processed', '::pause-1::', '::notice::processed'].join('\n'),
    );
    expect(commands).toEqual([{ command: 'notice', properties: {}, message: 'processed' }]);
  });
});

describe('inputEnvName', () => {
  it('upper-cases, keeps dashes and turns spaces into underscores', () => {
    expect(inputEnvName('dry-run')).toBe('INPUT_DRY-RUN');
    expect(inputEnvName('release branch-pattern')).toBe('INPUT_RELEASE_BRANCH-PATTERN');
  });
});
