// `npm run demo [-- --fast] [-- --seed N] [-- --keep] [-- --json FILE]`: rehearses the hotfix process end
// to end in a temporary sandbox; runs demo/index.ts (TypeScript, through tsx).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const result = spawnSync('npx', ['tsx', 'demo/index.ts', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
