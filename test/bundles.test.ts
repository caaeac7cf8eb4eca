import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBundle } from '@hotfix-actions/testkit';

// The committed bundles keep their heavy modules out of start-up: each is loaded from a chunk beside
// the bundle, on first use. These checks fail when a static import pulls one back into index.js.

const root = resolve(import.meta.dirname, '..');
const actions = readdirSync(join(root, 'dist')).sort();

/** A string only that module's code contains, and the actions that use the module. */
const lazyModules = [
  {
    module: 'undici (proxy client)',
    marker: 'llhttp',
    users: ['backmerge-pr', 'break-glass', 'hotfix-plan', 'notify', 'rollback', 'version-bump'],
  },
  {
    module: 'Octokit',
    marker: 'octokit-core.js',
    users: ['backmerge-pr', 'break-glass', 'hotfix-plan', 'notify', 'rollback', 'version-bump'],
  },
  { module: 'yaml', marker: 'YAMLParseError', users: ['beads-sync'] },
  { module: 'nodemailer', marker: 'nodemailer/', users: ['notify'] },
];

function files(action: string): Map<string, string> {
  const dir = join(root, 'dist', action);
  return new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.js'))
      .map((file) => [file, readFileSync(join(dir, file), 'utf8')]),
  );
}

describe('committed bundles', () => {
  it('are CommonJS, marked so beside them (the repository itself is an ES module package)', () => {
    for (const action of actions) {
      expect(JSON.parse(readFileSync(join(root, 'dist', action, 'package.json'), 'utf8'))).toEqual({
        type: 'commonjs',
      });
      expect(readFileSync(join(root, 'dist', action, 'index.js'), 'utf8')).not.toMatch(/^\s*(import|export)\b/m);
    }
  });

  it.each(lazyModules)('load $module only on first use, from a chunk', ({ marker, users }) => {
    for (const action of actions) {
      const code = files(action);
      expect(code.get('index.js'), `${action}/index.js`).not.toContain(marker);
      const inChunk = [...code].some(([file, text]) => file !== 'index.js' && text.includes(marker));
      expect(inChunk, `${action} has a chunk with ${marker}`).toBe(users.includes(action));
    }
  });

  it("leave out @actions/core's OIDC HTTP client, which no action uses", () => {
    // The client's own error text, present in every bundle before the alias in actions/tsconfig.json.
    for (const action of actions) {
      for (const [file, code] of files(action)) {
        expect(code.includes('Client has already been disposed'), `${action}/${file}`).toBe(false);
      }
    }
  });

  it('load their chunks from beside the bundle, whatever the working directory', async () => {
    // notify with only an e-mail channel pointing at a closed port: the nodemailer chunk must load and
    // fail to connect (a warning), not fail to load.
    const run = await runBundle({
      bundle: 'notify',
      inputs: {
        event: 'hotfix-start',
        'smtp-host': '127.0.0.1',
        'smtp-port': '9',
        'smtp-secure': 'none',
        'email-from': 'release@example.com',
        'email-to': 'team@example.com',
        timeout: '2',
        retries: '0',
      },
      cwd: '/',
    });
    expect(run.stderr).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    const said = run.annotations.map((a) => `${a.level}: ${a.message}`).join('\n');
    expect(said.slice(0, 2000)).toMatch(/^warning: .*(e-?mail|smtp).*ECONNREFUSED/im);
  });
});
