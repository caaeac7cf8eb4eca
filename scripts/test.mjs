// The README's test command: makes sure the system packages the tests need are present
// (installing them as root, or naming the command that does), then runs the whole suite once.
// Arguments are passed to vitest.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ensureSystemDeps } from './system-deps.mjs';

const root = resolve(import.meta.dirname, '..');
ensureSystemDeps({ install: true });
const vitest = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(vitest.status ?? 1);
