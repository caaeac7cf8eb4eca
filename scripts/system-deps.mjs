// The system packages the test suite needs (Debian names) and how to get them.
// `--install` installs what is missing with apt-get when running as root; otherwise, and in
// `--check` mode, it stops with the one command that installs them. Never a silent skip.
import { spawnSync } from 'node:child_process';

/** Each entry: the program the tests run, and the Debian package that provides it. */
export const SYSTEM_DEPS = [
  { program: 'git', pkg: 'git' },
  // canary-gate's tests run a real Prometheus server on loopback.
  { program: 'prometheus', pkg: 'prometheus' },
];

const has = (program) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' }).status === 0;

export function ensureSystemDeps({ install }) {
  const missing = SYSTEM_DEPS.filter((dep) => !has(dep.program));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((dep) => dep.pkg))];
  const command = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // Hosted runners are not root but have passwordless sudo.
  const sudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!install || (!isRoot && !sudo)) {
    console.error(`The tests need ${missing.map((dep) => dep.program).join(', ')}. Install with:\n  sudo ${command}`);
    process.exit(1);
  }
  console.log(`Installing ${pkgs.join(' ')} with apt-get…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...pkgs],
  ]) {
    const [cmd, argv] = sudo ? ['sudo', ['-n', 'apt-get', ...args]] : ['apt-get', args];
    const result = spawnSync(cmd, argv, { stdio: 'inherit', env });
    if (result.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install by hand with:\n  sudo ${command}`);
      process.exit(1);
    }
  }
  const still = missing.filter((dep) => !has(dep.program));
  if (still.length > 0) {
    console.error(`Still missing after install: ${still.map((dep) => dep.program).join(', ')}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureSystemDeps({ install: process.argv.includes('--install') });
}
