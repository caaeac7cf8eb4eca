// The README's test command: makes sure the system packages the tests need are present, then
// runs the whole suite once with vitest. Arguments are passed to vitest.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const vitest = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(vitest.status ?? 1);
